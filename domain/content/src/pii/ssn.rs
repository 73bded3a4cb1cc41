//! US Social Security numbers, `AAA-GG-SSSS`.
//!
//! The dashed form is distinctive enough on its own. Nine digits bare or split by spaces are
//! everyday numbers (routing numbers, student ids, 3-3-3 phone fragments), so those count only
//! when an SSN cue ("SSN", "social security") stands shortly before them.
//! Numbers the SSA never issues are rejected: area 000, 666 or 900-999; group 00; serial 0000.

use domain::PiiKind;

use super::text::{cue_before, pattern, stands_alone, Pattern};
use super::Finding;

static CANDIDATE: Pattern = Pattern::new(|| pattern(r"[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{4}"));

const CUES: &[&str] = &["ssn", "social security", "soc sec", "ss#", "ss no"];
/// How far before a bare or spaced number its cue may stand, in bytes.
const CUE_WINDOW: usize = 40;

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for candidate in CANDIDATE.find_iter(text) {
        let value = candidate.as_str();
        let range = candidate.range();
        let (first, second) = (value.as_bytes()[3], value.as_bytes()[value.len() - 5]);
        let separated = first == second && !first.is_ascii_digit();
        let unseparated = first.is_ascii_digit() && second.is_ascii_digit();
        if !separated && !unseparated {
            continue;
        }
        if !stands_alone(text, &range, &['-', '.', '/', ',']) || !is_issuable(value) {
            continue;
        }
        if first == b'-' || cue_before(text, range.start, CUE_WINDOW, CUES) {
            out.push(Finding { kind: PiiKind::UsSsn, range });
        }
    }
}

/// Whether the SSA could have issued this number (separators are ignored).
pub(super) fn is_issuable(value: &str) -> bool {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 9 {
        return false;
    }
    let (area, rest) = digits.split_at(3);
    let (group, serial) = rest.split_at(2);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_issued_ranges_are_rejected() {
        assert!(is_issuable("219-09-9999"));
        for value in ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"] {
            assert!(!is_issuable(value), "{value}");
        }
    }

    #[test]
    fn bare_nine_digits_need_a_cue() {
        let mut found = Vec::new();
        find("routing 536221234", &mut found);
        assert!(found.is_empty());
        find("SSN: 536221234", &mut found);
        assert_eq!(found.len(), 1);
    }
}
