//! Payment card numbers: 13 to 19 digits, written bare or in groups split by spaces or dashes,
//! that pass the Luhn check.
//!
//! A run of digit groups is found first; then every window of whole groups inside it is tried,
//! so a card preceded by a quantity (`2 4111 1111 1111 1111`) is still found while a card-sized
//! slice of a longer unbroken digit run never is.

use std::ops::Range;

use domain::PiiKind;

use super::text::{after, before, cue_before, digits, is_word, pattern, stands_alone, Pattern};
use super::Finding;

static RUN: Pattern = Pattern::new(|| pattern(r"[0-9]+(?:[ \-][0-9]+)*"));

/// Words that say a bare digit run is a reference, not a card, unless a card word is also near.
/// IMEIs carry a Luhn digit too, so they need naming here.
const NOT_A_CARD: &[&str] =
    &["order", "invoice", "receipt", "ref", "tracking", "transaction", "txn", "account", "imei"];
const CARD_WORDS: &[&str] = &["card", "visa", "mastercard", "amex", "cc", "pan", "maestro", "discover"];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for run in RUN.find_iter(text) {
        // A run glued to a word (`DE89 3704 …`, `ID4111…`) is one identifier, none of it a card.
        let glued = before(text, run.start()).is_some_and(is_word) || after(text, run.end()).is_some_and(is_word);
        if run.len() < 13 || glued {
            continue;
        }
        let groups: Vec<Range<usize>> = group_ranges(run.as_str(), run.start());
        let mut first = 0;
        while first < groups.len() {
            first = match card_from(text, &groups, first) {
                Some(last) => {
                    out.push(Finding { kind: PiiKind::PaymentCard, range: groups[first].start..groups[last].end });
                    last + 1
                }
                None => first + 1,
            };
        }
    }
}

/// The digit groups of a run, as byte ranges into the whole text.
fn group_ranges(run: &str, offset: usize) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut start = None;
    for (i, b) in run.bytes().enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push(offset + s..offset + i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push(offset + s..offset + run.len());
    }
    groups
}

/// The last group of the longest card starting at group `first`, if any.
fn card_from(text: &str, groups: &[Range<usize>], first: usize) -> Option<usize> {
    let start = groups[first].start;
    // Inside a run, a card may only border its neighbours across a space (a list of numbers);
    // `1-4111-…` is one longer identifier.
    if first > 0 && text.as_bytes()[start - 1] != b' ' {
        return None;
    }
    for last in (first..groups.len()).rev() {
        let end = groups[last].end;
        if last + 1 < groups.len() && text.as_bytes()[end] != b' ' {
            continue;
        }
        let sizes: Vec<usize> = groups[first..=last].iter().map(Range::len).collect();
        let total: usize = sizes.iter().sum();
        if total < 13 {
            return None;
        }
        let value = &text[start..end];
        if total <= 19 && is_card_layout(&sizes, value) && passes_luhn(value) && plausible(text, start..end, &sizes) {
            return Some(last);
        }
    }
    None
}

/// How cards are printed: bare; groups of four with a shorter tail (13, 16, 19 digits); or the
/// 4-6-5 and 4-6-4 layouts of American Express and Diners Club. One separator kind throughout.
fn is_card_layout(sizes: &[usize], value: &str) -> bool {
    let separators = value.bytes().filter(|b| !b.is_ascii_digit());
    let mut kinds = separators.clone().collect::<Vec<u8>>();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() > 1 || separators.count() + 1 != sizes.len() {
        return false;
    }
    match sizes {
        [_] => true,
        [4, 6, 4] | [4, 6, 5] => true,
        [init @ .., tail] => init.iter().all(|&size| size == 4) && (1..=4).contains(tail),
        [] => false,
    }
}

/// Issuer ranges start with 2 to 6; a bare run must also be free of reference words nearby
/// (`Order 5425…` is an order id even when its checksum happens to pass).
fn plausible(text: &str, range: Range<usize>, sizes: &[usize]) -> bool {
    if !text[range.clone()].starts_with(['2', '3', '4', '5', '6']) {
        return false;
    }
    if !stands_alone(text, &range, &['.', ',', '/', ':']) {
        return false;
    }
    sizes.len() > 1 || !cue_before(text, range.start, 24, NOT_A_CARD) || cue_before(text, range.start, 24, CARD_WORDS)
}

/// The Luhn (mod 10) check every card number carries in its last digit.
pub(super) fn passes_luhn(value: &str) -> bool {
    let values: Vec<u8> = digits(value).collect();
    if values.is_empty() {
        return false;
    }
    let sum: u32 = values
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match i % 2 {
                0 => d,
                _ if d * 2 > 9 => d * 2 - 9,
                _ => d * 2,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_known_test_numbers_and_rejects_one_digit_off() {
        assert!(passes_luhn("4111 1111 1111 1111"));
        assert!(passes_luhn("378282246310005"));
        assert!(!passes_luhn("4111 1111 1111 1112"));
        assert!(!passes_luhn("378282246310050"));
        assert!(!passes_luhn(""));
    }

    #[test]
    fn layouts_follow_printed_cards() {
        assert!(is_card_layout(&[4, 4, 4, 4], "4111 1111 1111 1111"));
        assert!(is_card_layout(&[4, 6, 5], "3782 822463 10005"));
        assert!(!is_card_layout(&[4, 4, 4, 4], "4111 1111-1111 1111"));
        assert!(!is_card_layout(&[2, 4, 4, 4, 2], "41 1111 1111 1111 11"));
    }
}
