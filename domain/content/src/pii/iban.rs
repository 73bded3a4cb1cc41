//! International bank account numbers (ISO 13616): country code, two check digits and a national
//! part, written compact or in groups of four. A candidate must have its country's exact length
//! and pass the mod-97 check, which together make a chance match vanishingly rare.

use domain::PiiKind;

use super::text::{is_word, pattern, Pattern};
use super::Finding;

/// Generous on purpose (it may run into a following upper-case word); the country's length
/// decides where the IBAN really ends.
static CANDIDATE: Pattern = Pattern::new(|| pattern(r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{1,4})+"));

/// Total length per country, from the SWIFT IBAN registry.
#[rustfmt::skip]
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16), ("BG", 22), ("BH", 22),
    ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22), ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27),
    ("DK", 18), ("DO", 28), ("EE", 20), ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27),
    ("GB", 22), ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HR", 21), ("HU", 28), ("IE", 22),
    ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30), ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32),
    ("LI", 21), ("LT", 20), ("LU", 20), ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19),
    ("MN", 20), ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23), ("PK", 24),
    ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22), ("RU", 33), ("SA", 24), ("SC", 31),
    ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24), ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23),
    ("TN", 24), ("TR", 26), ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for candidate in CANDIDATE.find_iter(text) {
        if text[..candidate.start()].chars().next_back().is_some_and(is_word) {
            continue;
        }
        let Some(length) = country_length(&candidate.as_str()[..2]) else {
            continue;
        };
        let Some(end) = end_after(candidate.as_str(), length) else {
            continue;
        };
        let end = candidate.start() + end;
        if text[end..].chars().next().is_some_and(is_word) {
            continue;
        }
        if passes_mod97(&text[candidate.start()..end]) {
            out.push(Finding { kind: PiiKind::Iban, range: candidate.start()..end });
        }
    }
}

fn country_length(country: &str) -> Option<usize> {
    LENGTHS.iter().find(|(code, _)| *code == country).map(|&(_, length)| length)
}

/// The byte offset just after the `length`-th alphanumeric character, if the candidate has that many.
fn end_after(candidate: &str, length: usize) -> Option<usize> {
    candidate.bytes().enumerate().filter(|(_, b)| b.is_ascii_alphanumeric()).nth(length - 1).map(|(i, _)| i + 1)
}

/// ISO 7064 mod 97-10 as ISO 13616 applies it: move the first four characters to the end, read
/// letters as 10..35, and the whole number must leave remainder 1. Spaces are ignored.
pub(super) fn passes_mod97(iban: &str) -> bool {
    let compact: Vec<u8> = iban.bytes().filter(|b| *b != b' ').collect();
    if compact.len() < 5 || !compact.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (head, rest) = compact.split_at(4);
    let remainder = rest.iter().chain(head).fold(0u32, |remainder, &b| {
        let value = u32::from(b.to_ascii_uppercase());
        if b.is_ascii_digit() {
            (remainder * 10 + value - u32::from(b'0')) % 97
        } else {
            (remainder * 100 + value - u32::from(b'A') + 10) % 97
        }
    });
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod97_accepts_registry_examples_and_rejects_a_changed_digit() {
        assert!(passes_mod97("DE89 3704 0044 0532 0130 00"));
        assert!(passes_mod97("GB82WEST12345698765432"));
        assert!(passes_mod97("FR14 2004 1010 0505 0001 3M02 606"));
        assert!(!passes_mod97("DE89 3704 0044 0532 0130 01"));
        assert!(!passes_mod97("GB82WEST12345698765433"));
        assert!(!passes_mod97("DE8"));
    }

    #[test]
    fn a_grouped_iban_ends_at_its_country_length_not_at_the_next_word() {
        let text = "pay GB82 WEST 1234 5698 7654 32 EUR today";
        let mut found = Vec::new();
        find(text, &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.clone()], "GB82 WEST 1234 5698 7654 32");
    }
}
