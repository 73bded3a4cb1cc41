//! Invisible characters: which ones are an attack, which ones are ordinary writing.
//!
//! Zero-width and bidi-control characters are how an attacker hides an instruction from the
//! human reviewing a document while the model still reads it: splitting "ig\u{200B}nore" past a
//! filter, reordering text with U+202E, or smuggling a whole ASCII instruction in Unicode tag
//! characters (U+E0041 is an invisible "A"). The same code points are also part of ordinary
//! writing, and flagging those would drown real alerts:
//! - U+200D joins emoji into one glyph (👩‍💻 is woman, ZWJ, laptop), U+200C/U+200D shape Persian
//!   and Indic words, U+200B separates words in Thai. These sit between two non-ASCII characters;
//!   an attacker splitting an English keyword puts them next to ASCII letters.
//! - Tag characters end a subdivision flag (🏴 + tags "gbsct" + U+E007F is Scotland's flag).
//! - U+200E/U+200F (LRM/RLM) are placed by editors in right-to-left text.
//! - U+FEFF at the very start of a text is a byte-order mark.

/// The code points treated as hidden: zero-width, bidi controls, invisible operators, BOM, tags.
pub(super) fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E007F}')
}

fn is_tag(c: char) -> bool {
    matches!(c, '\u{E0000}'..='\u{E007F}')
}

fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// A neighbour that makes a joiner or zero-width space ordinary: a visible non-ASCII character
/// (an emoji, a Persian or Devanagari letter, a variation selector, a Thai syllable).
fn is_joinable(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && !is_hidden(c))
}

/// Calls `visit(byte_index, char, is_benign)` for every hidden character of `text`, in order.
fn visit_hidden(text: &str, mut visit: impl FnMut(usize, char, bool)) {
    if text.is_ascii() {
        return; // every hidden character is outside ASCII; most chunks end here
    }
    let mut has_rtl: Option<bool> = None;
    let mut flag_tags_until = 0;
    let mut previous: Option<char> = None;
    for (index, c) in text.char_indices() {
        if c == '\u{1F3F4}' {
            flag_tags_until =
                flag_sequence_end(&text[index + c.len_utf8()..]).map_or(0, |len| index + c.len_utf8() + len);
        }
        if is_hidden(c) {
            let next = text[index + c.len_utf8()..].chars().next();
            let benign = match c {
                '\u{200B}'..='\u{200D}' => is_joinable(previous) && is_joinable(next),
                '\u{200E}' | '\u{200F}' => {
                    let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                    !(ascii_word(previous) && ascii_word(next))
                        && *has_rtl.get_or_insert_with(|| text.chars().any(is_right_to_left))
                }
                '\u{FEFF}' => index == 0,
                c if is_tag(c) => index < flag_tags_until,
                _ => false,
            };
            visit(index, c, benign);
        }
        previous = Some(c);
    }
}

/// Byte length of a well-formed flag tag sequence (1–16 tag letters then CANCEL TAG) at the
/// start of `rest`, if there is one.
fn flag_sequence_end(rest: &str) -> Option<usize> {
    let mut letters = 0;
    for (index, c) in rest.char_indices() {
        match c {
            '\u{E0020}'..='\u{E007E}' if letters < 16 => letters += 1,
            '\u{E007F}' if letters > 0 => return Some(index + c.len_utf8()),
            _ => return None,
        }
    }
    None
}

/// Whether `text` holds a hidden character outside the ordinary uses above.
pub(super) fn has_suspicious(text: &str) -> bool {
    let mut found = false;
    visit_hidden(text, |_, _, benign| found |= !benign);
    found
}

/// `text` without its suspicious hidden characters; ordinary ones (emoji joiners, Persian
/// non-joiners, flag tags, RTL marks) are kept so the text still displays as written.
pub fn strip_hidden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    visit_hidden(text, |index, c, benign| {
        if !benign {
            out.push_str(&text[copied_to..index]);
            copied_to = index + c.len_utf8();
        }
    });
    out.push_str(&text[copied_to..]);
    out
}

/// `text` with every hidden character and soft hyphen removed, benign or not, for pattern
/// matching only: a joiner never changes what an instruction means.
pub(super) fn remove_for_matching(text: &str) -> String {
    // Every hidden character and the soft hyphen start with one of these UTF-8 lead bytes.
    if !text.bytes().any(|b| matches!(b, 0xC2 | 0xE2 | 0xEF | 0xF3)) {
        return text.to_owned();
    }
    text.chars().filter(|&c| !is_hidden(c) && c != '\u{00AD}').collect()
}

/// The ASCII text smuggled in tag characters (U+E0020–U+E007E map to ASCII 0x20–0x7E), outside
/// flag sequences; empty when there is none.
pub(super) fn smuggled_tags(text: &str) -> String {
    let mut out = String::new();
    visit_hidden(text, |_, c, benign| {
        if !benign && matches!(c, '\u{E0020}'..='\u{E007E}') {
            out.extend(char::from_u32(u32::from(c) - 0xE0000));
        }
    });
    out
}
