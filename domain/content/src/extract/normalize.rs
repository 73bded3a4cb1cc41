//! The one text shape every format is reduced to, whatever produced it.

use std::borrow::Cow;

/// Highlight sentinels used by retrieval: a document must not be able to forge a highlight.
const SENTINELS: [char; 2] = ['\u{E000}', '\u{E001}'];

/// LF line ends; no control characters but `\n` and `\t`; no highlight sentinels; no trailing
/// whitespace on lines; at most one blank line in a row; no blank lines at either end.
pub(super) fn normalize(raw: &str) -> String {
    let unified: Cow<'_, str> =
        if raw.contains("\r\n") { Cow::Owned(raw.replace("\r\n", "\n")) } else { Cow::Borrowed(raw) };
    let mut out = String::with_capacity(unified.len());
    let mut blank_lines = 0usize;
    for line in unified.split(['\n', '\r']) {
        let line_start = out.len();
        if !out.is_empty() {
            out.push('\n');
            if blank_lines > 0 {
                out.push('\n');
            }
        }
        let content_start = out.len();
        out.extend(line.chars().filter(|&c| keep(c)));
        let content_end = content_start + out[content_start..].trim_end().len();
        if content_end == content_start {
            out.truncate(line_start);
            blank_lines += 1;
        } else {
            out.truncate(content_end);
            blank_lines = 0;
        }
    }
    out
}

fn keep(c: char) -> bool {
    (!c.is_control() || c == '\t') && !SENTINELS.contains(&c)
}
