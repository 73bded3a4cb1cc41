//! Splitting one section's body into bounded, overlapping pieces.
//!
//! Positions are byte offsets kept on char boundaries; sizes are counted in chars. The
//! boundaries searched for (`\n`, `.`, `!`, `?`, ASCII whitespace) are ASCII, and an ASCII byte
//! is never inside a multi-byte UTF-8 sequence, so byte scans are safe.

/// Boundary kinds, best first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Boundary {
    Paragraph,
    Sentence,
    Line,
    Space,
}

/// Trimmed, non-empty pieces of at most `budget` chars; consecutive pieces overlap by at most
/// `overlap` chars (less when the budget is small), starting at a sentence or word start.
pub(super) fn pieces(body: &str, budget: usize, overlap: usize) -> impl Iterator<Item = &str> {
    // A cut is never before the middle of the window, so an overlap under a third of the
    // budget always moves forward by at least a sixth of it.
    let overlap = overlap.min(budget / 3);
    let mut start = skip_whitespace(body, 0);
    std::iter::from_fn(move || {
        while start < body.len() {
            let end = advance(body, start, budget);
            let (cut, next) = if end == body.len() {
                (end, end)
            } else {
                let cut = best_cut(body, start, end, budget);
                (cut, next_start(body, start, cut, overlap))
            };
            let piece = body[start..cut].trim();
            start = skip_whitespace(body, next);
            if !piece.is_empty() {
                return Some(piece);
            }
        }
        None
    })
}

/// Where to end the piece `start..end`: the last best boundary in the second half of the
/// window, or `end` (mid-word) when there is none.
fn best_cut(text: &str, start: usize, end: usize, budget: usize) -> usize {
    let earliest = advance(text, start, budget / 2).max(start + 1);
    let bytes = text.as_bytes();
    let mut best: Option<(Boundary, usize)> = None;
    // `i` is the cut: the piece is text[start..i], and bytes[i] is whitespace.
    for i in (earliest..=end.min(bytes.len().saturating_sub(1))).rev() {
        let kind = match bytes[i] {
            b'\n' if i > 0 && bytes[i - 1] == b'\n' => Boundary::Paragraph,
            b'\n' | b' ' | b'\t' if i > 0 && matches!(bytes[i - 1], b'.' | b'!' | b'?') => Boundary::Sentence,
            b'\n' => Boundary::Line,
            b' ' | b'\t' => Boundary::Space,
            _ => continue,
        };
        if best.is_none_or(|(found, _)| kind < found) {
            best = Some((kind, i));
            if kind == Boundary::Paragraph {
                break;
            }
        }
    }
    match best {
        Some((Boundary::Paragraph, i)) => i - 1,
        Some((_, i)) => i,
        None => end,
    }
}

/// Where the next piece starts: the first sentence start, else the first word start, within the
/// last `overlap` chars before `cut`; `cut` itself when neither exists there.
fn next_start(text: &str, start: usize, cut: usize, overlap: usize) -> usize {
    let from = retreat(text, cut, overlap).max(start + 1);
    let bytes = text.as_bytes();
    let mut word_start = None;
    for i in from..cut {
        if !text.is_char_boundary(i) || bytes[i].is_ascii_whitespace() || !bytes[i - 1].is_ascii_whitespace() {
            continue;
        }
        let before = text[..i].trim_end_matches(|c: char| c.is_ascii_whitespace());
        if before.ends_with(['.', '!', '?']) {
            return i;
        }
        word_start.get_or_insert(i);
    }
    word_start.unwrap_or(cut)
}

/// The offset `chars` chars after `from`, or the end of the text.
fn advance(text: &str, from: usize, chars: usize) -> usize {
    text[from..].char_indices().nth(chars).map_or(text.len(), |(offset, _)| from + offset)
}

/// The offset `chars` chars before `from`, or the start of the text.
fn retreat(text: &str, from: usize, chars: usize) -> usize {
    if chars == 0 {
        return from;
    }
    text[..from].char_indices().rev().nth(chars - 1).map_or(0, |(offset, _)| offset)
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    text.len() - text[from..].trim_start().len()
}
