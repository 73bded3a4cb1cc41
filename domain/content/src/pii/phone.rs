//! Phone numbers, the kind most easily confused with other numbers, so each written form has its
//! own pattern and its own bar to clear:
//!
//! - international, `+CC …` (with an optional `(0)` trunk): 8 to 15 digits, no cue needed;
//! - North American, `(415) 555-0132`, `415.555.0132`, `1-800-555-0199`: one separator kind;
//! - national with a trunk `0`, `030 12345678`, `06 12 34 56 78`, `(03) 9876 5432`: 9 to 15
//!   digits, not a date, and pair-grouped only as the ten digits of the French layout;
//! - bare digit runs (`0612345678`) and seven-digit local numbers (`555-0123`) only right after a
//!   phone word ("tel", "call", "mobile"…), since alone they are indistinguishable from ids.
//!
//! Structured national forms are dropped when a reference word ("order", "SKU", "invoice") stands
//! just before them, unless a phone word does too.

use domain::PiiKind;

use super::text::{cue_before, digits, pattern, stands_alone, Pattern};
use super::Finding;

static INTERNATIONAL: Pattern = Pattern::new(|| pattern(r"\+[0-9]{1,3}(?:[ .\-]?\(0\))?(?:[ .\-]?\(?[0-9]{1,14}\)?)+"));
static NORTH_AMERICAN: Pattern =
    Pattern::new(|| pattern(r"(?:1[ .\-])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}"));
static NATIONAL: Pattern = Pattern::new(|| pattern(r"(?:\(0[0-9]{1,4}\)|0[0-9]{1,4})(?:[ .\-/][0-9]{2,8})+"));
static BARE: Pattern = Pattern::new(|| pattern(r"[0-9]{10,11}"));
static LOCAL: Pattern = Pattern::new(|| pattern(r"[2-9][0-9]{2}-[0-9]{4}"));

const PHONE_WORDS: &[&str] = &[
    "tel",
    "phone",
    "mobile",
    "mobil",
    "cell",
    "call",
    "fax",
    "whatsapp",
    "sms",
    "text me",
    "dial",
    "ring",
    "reach",
    "contact",
    "téléphone",
    "numéro",
];
const REFERENCE_WORDS: &[&str] = &[
    "order", "invoice", "receipt", "ref", "sku", "isbn", "tracking", "serial", "account", "acct", "case", "ticket",
    "id ", "id:", "id#", "part", "no.", "nr.", "zip", "postal", "postcode",
];
const JOINERS: &[char] = &['.', '-', '/', ','];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    let mut push = |range| out.push(Finding { kind: PiiKind::Phone, range });
    for candidate in INTERNATIONAL.find_iter(text) {
        let mut range = candidate.range();
        let value = candidate.as_str();
        if value.ends_with(')') && value.matches('(').count() < value.matches(')').count() {
            range.end -= 1;
        }
        let digit_count = digits(&text[range.clone()]).count() - text[range.clone()].matches("(0)").count();
        if (8..=15).contains(&digit_count) && stands_alone(text, &range, JOINERS) {
            push(range);
        }
    }
    for candidate in NORTH_AMERICAN.find_iter(text) {
        let range = candidate.range();
        let value = candidate.as_str();
        if (value.contains('(') || one_separator_kind(value, false)) && structured_ok(text, &range) {
            push(range);
        }
    }
    for candidate in NATIONAL.find_iter(text) {
        let range = candidate.range();
        if is_national_layout(candidate.as_str()) && structured_ok(text, &range) {
            push(range);
        }
    }
    for candidate in BARE.find_iter(text).chain(LOCAL.find_iter(text)) {
        let range = candidate.range();
        if is_bare_phone(candidate.as_str())
            && stands_alone(text, &range, JOINERS)
            && cue_before(text, range.start, 40, PHONE_WORDS)
        {
            push(range);
        }
    }
}

/// A structured form stands alone and is not introduced as a reference number.
fn structured_ok(text: &str, range: &std::ops::Range<usize>) -> bool {
    if !stands_alone(text, range, JOINERS) || text[..range.start].ends_with('+') {
        return false;
    }
    cue_before(text, range.start, 32, PHONE_WORDS) || !cue_before(text, range.start, 20, REFERENCE_WORDS)
}

/// Whether all separators (ignoring spaces when `ignore_spaces` is set) are of one kind.
fn one_separator_kind(value: &str, ignore_spaces: bool) -> bool {
    let mut kinds: Vec<char> = value
        .chars()
        .filter(|&c| !c.is_ascii_digit() && !matches!(c, '(' | ')') && (!ignore_spaces || c != ' '))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.len() <= 1
}

fn group_sizes(value: &str) -> Vec<usize> {
    value.split(|c: char| !c.is_ascii_digit()).filter(|group| !group.is_empty()).map(str::len).collect()
}

/// See the module notes: length, one non-space separator kind, no date, French pairs only as ten digits.
fn is_national_layout(value: &str) -> bool {
    // A trunk `0` or an international `00` is followed by a real digit, never by a third zero.
    if value.trim_start_matches('(').starts_with("000") {
        return false;
    }
    let sizes = group_sizes(value);
    let total: usize = sizes.iter().sum();
    if !(9..=15).contains(&total) || !one_separator_kind(value, true) || contains_date(value) {
        return false;
    }
    // `02139-4307` is a ZIP+4 code, the shape New England ZIPs take.
    if sizes == [5, 4] && value.contains('-') {
        return false;
    }
    let pairs = sizes.len() > 2 && sizes.iter().skip(1).all(|&size| size == 2);
    !pairs || (sizes[0] == 2 && total == 10)
}

/// `05.03.2024`, `2024-03-05`: three groups shaped like a day, a month and a 19xx/20xx year.
fn contains_date(value: &str) -> bool {
    let groups: Vec<&str> = value.split(|c: char| !c.is_ascii_digit()).filter(|group| !group.is_empty()).collect();
    let is_year = |group: &str| group.len() == 4 && (group.starts_with("19") || group.starts_with("20"));
    let is_day_or_month = |group: &str| (1..=2).contains(&group.len());
    groups.windows(3).any(|w| {
        (is_day_or_month(w[0]) && is_day_or_month(w[1]) && is_year(w[2]))
            || (is_year(w[0]) && is_day_or_month(w[1]) && is_day_or_month(w[2]))
    })
}

/// Bare national numbers (`0612345678`), bare North American ones (`4155550132`, `14155550132`)
/// and seven-digit local numbers (`555-0123`).
fn is_bare_phone(value: &str) -> bool {
    let bytes = value.as_bytes();
    match (bytes.len(), bytes.first()) {
        (8, _) => value.contains('-'),
        (10 | 11, Some(b'0')) => true,
        (10, Some(b'2'..=b'9')) => matches!(bytes[3], b'2'..=b'9'),
        (11, Some(b'1')) => matches!(bytes[1], b'2'..=b'9') && matches!(bytes[4], b'2'..=b'9'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_layouts_reject_dates_and_lottery_rows() {
        assert!(is_national_layout("06 12 34 56 78"));
        assert!(is_national_layout("030 12345678"));
        assert!(!is_national_layout("05.03.2024 14.00"));
        assert!(!is_national_layout("04 11 23 35 42 49"));
        assert!(!is_national_layout("030-1234/5678"));
        assert!(!is_national_layout("000-12-3456"));
        assert!(!is_national_layout("02139-4307"));
    }
}
