//! A retrieval excerpt's highlights as plain text and marked runs.
//!
//! The server's `highlight` wraps matches in `<mark>`…`</mark>` and escapes every other `<`, `>`
//! and `&`. The page never inserts it as HTML: it renders these segments as text nodes and
//! `<mark>` elements, so even a server bug cannot put markup from a document into the page.

/// A run of the excerpt: matched (`Mark`) or not, with entities already decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Mark(String),
}

const OPEN: &str = "<mark>";
const CLOSE: &str = "</mark>";

/// Splits an excerpt on its mark tags and decodes the three escaped characters. Empty runs are
/// left out and neighbouring runs of one kind merged; an unclosed `<mark>` marks the rest, and a
/// stray `</mark>` is dropped.
pub fn segments(highlight: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut marked = false;
    let mut rest = highlight;
    loop {
        let next = [(OPEN, true), (CLOSE, false)]
            .into_iter()
            .filter_map(|(tag, opens)| rest.find(tag).map(|at| (at, tag, opens)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, tag, opens)) = next else {
            push(&mut out, rest, marked);
            return out;
        };
        push(&mut out, &rest[..at], marked);
        marked = opens;
        rest = &rest[at + tag.len()..];
    }
}

fn push(out: &mut Vec<Segment>, raw: &str, marked: bool) {
    if raw.is_empty() {
        return;
    }
    let text = unescape(raw);
    match (out.last_mut(), marked) {
        // Runs of one kind split by a stray or empty tag read as one.
        (Some(Segment::Mark(last)), true) | (Some(Segment::Text(last)), false) => last.push_str(&text),
        _ => out.push(if marked { Segment::Mark(text) } else { Segment::Text(text) }),
    }
}

/// Decodes `&lt;`, `&gt;` and `&amp;` in one pass, so `&amp;lt;` stays the text `&lt;`. Any
/// other `&` is kept as it is.
pub fn unescape(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let decoded =
            [("&lt;", '<'), ("&gt;", '>'), ("&amp;", '&')].into_iter().find(|(entity, _)| tail.starts_with(entity));
        match decoded {
            Some((entity, c)) => {
                out.push(c);
                rest = &tail[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Segment {
        Segment::Text(s.to_owned())
    }

    fn mark(s: &str) -> Segment {
        Segment::Mark(s.to_owned())
    }

    #[test]
    fn matches_become_marked_runs() {
        assert_eq!(
            segments("Ask for a <mark>refund</mark> within <mark>30</mark> days"),
            vec![text("Ask for a "), mark("refund"), text(" within "), mark("30"), text(" days")]
        );
    }

    #[test]
    fn an_excerpt_without_matches_is_one_text_run() {
        assert_eq!(segments("plain words"), vec![text("plain words")]);
        assert_eq!(segments(""), vec![]);
    }

    #[test]
    fn escaped_markup_is_shown_as_text_not_parsed() {
        assert_eq!(
            segments("&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>&lt;b&gt;</mark>"),
            vec![text("<script>alert(1)</script> & "), mark("<b>")]
        );
        // An escaped mark tag in a document is text, not a highlight.
        assert_eq!(segments("&lt;mark&gt;x&lt;/mark&gt;"), vec![text("<mark>x</mark>")]);
    }

    #[test]
    fn entities_decode_once() {
        assert_eq!(unescape("&amp;lt;"), "&lt;");
        assert_eq!(unescape("AT&T &quot; &"), "AT&T &quot; &");
        assert_eq!(unescape("a &gt; b &lt; c"), "a > b < c");
    }

    #[test]
    fn unbalanced_tags_degrade_gracefully() {
        assert_eq!(segments("a <mark>b"), vec![text("a "), mark("b")]);
        assert_eq!(segments("a </mark>b"), vec![text("a b")]);
        assert_eq!(segments("<mark></mark>x"), vec![text("x")]);
    }
}
