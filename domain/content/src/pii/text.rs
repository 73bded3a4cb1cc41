//! What the detectors ask about the text around a candidate: is it glued to a word or to a
//! longer number, and does a cue word ("phone", "SSN", "order") stand just before it.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// The character just before byte `at`, if any.
pub(super) fn before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
}

/// The character starting at byte `at`, if any.
pub(super) fn after(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// Letters (of any script), digits and `_`: what identifiers and words are made of.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether the candidate stands on its own: not glued to a word (`ID4111…`, `0x4111…`) and not
/// one piece of a longer number held together by one of `joiners` (`1.3.6.1.4.1`, `…-0042`).
pub(super) fn stands_alone(text: &str, range: &Range<usize>, joiners: &[char]) -> bool {
    let left = match before(text, range.start) {
        None => true,
        Some(c) if is_word(c) => false,
        Some(c) if joiners.contains(&c) => {
            !before(text, range.start - c.len_utf8()).is_some_and(|d| d.is_ascii_digit())
        }
        Some(_) => true,
    };
    let right = match after(text, range.end) {
        None => true,
        Some(c) if is_word(c) => false,
        Some(c) if joiners.contains(&c) => !after(text, range.end + c.len_utf8()).is_some_and(|d| d.is_ascii_digit()),
        Some(_) => true,
    };
    left && right
}

/// Whether one of `cues` starts a word within `window` bytes before `start` (case-insensitive).
/// Cues are lowercase ASCII; "a word start" keeps `ssn` from matching inside `classname`.
pub(super) fn cue_before(text: &str, start: usize, window: usize, cues: &[&str]) -> bool {
    let mut from = start.saturating_sub(window);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let Some(context) = text.get(from..start) else {
        return false;
    };
    let context = context.to_ascii_lowercase();
    cues.iter().any(|cue| {
        context.match_indices(cue).any(|(at, _)| !context[..at].chars().next_back().is_some_and(char::is_alphabetic))
    })
}

/// The ASCII digits of a candidate, separators dropped.
pub(super) fn digits(value: &str) -> impl Iterator<Item = u8> + '_ {
    value.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0')
}

/// Compiles one of the detectors' constant patterns.
#[allow(clippy::expect_used)]
pub(super) fn pattern(source: &str) -> Regex {
    // The patterns are string literals in this module tree, covered by every test that runs
    // `detect`: a typo fails the test suite, never a caller.
    Regex::new(source).expect("a constant PII pattern compiles")
}

/// A detector's regex, compiled on first use and shared by every thread afterwards.
pub(super) type Pattern = LazyLock<Regex>;
