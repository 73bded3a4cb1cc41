//! Cuts extracted text into overlapping, heading-aware chunks for the index.
//!
//! Sections are found by the `#` heading lines extraction writes for Markdown and HTML. Each
//! section starts a new chunk; a section too long for one chunk is split at the best boundary
//! available (a blank line, then a sentence end, then a line end, then whitespace, and only
//! as a last resort mid-word), every piece after the first repeats the section's heading line so
//! a retrieved chunk says what it is about, and consecutive pieces share about
//! [`ChunkOptions::overlap_chars`] of whole sentences or words so a fact cut in two is still
//! found whole in one of them.
//!
//! Work is linear in the text: each window is scanned a bounded number of times.

mod window;

/// Between a heading and its text, as extraction writes it.
const HEADING_SEPARATOR: &str = "\n\n";

/// How big chunks are, in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOptions {
    /// No chunk is longer than this, heading included.
    pub max_chars: usize,
    /// How much of the end of a chunk the next chunk of the same section repeats.
    pub overlap_chars: usize,
}

impl Default for ChunkOptions {
    fn default() -> Self {
        Self { max_chars: 1_500, overlap_chars: 200 }
    }
}

/// Cuts extracted text into chunks for the index.
///
/// Chunks are trimmed and never empty, never longer than `max_chars` (so `max_chars == 0`
/// gives no chunks), and the same text always gives the same chunks.
pub fn chunk(text: &str, options: &ChunkOptions) -> Vec<String> {
    let mut chunks = Vec::new();
    if options.max_chars == 0 {
        return chunks;
    }
    for section in sections(text) {
        let heading = section.heading.filter(|heading| heading.chars().count() < options.max_chars / 2);
        let body = match (section.heading, heading) {
            // A heading too long to repeat is just the first line of the body.
            (Some(_), None) => section.whole,
            _ => section.body,
        };
        let prefix_chars = heading.map_or(0, |heading| heading.chars().count() + HEADING_SEPARATOR.len());
        let budget = options.max_chars - prefix_chars;
        let mut pieces = 0;
        for piece in window::pieces(body, budget, options.overlap_chars) {
            chunks.push(match heading {
                Some(heading) => format!("{heading}{HEADING_SEPARATOR}{piece}"),
                None => piece.to_owned(),
            });
            pieces += 1;
        }
        if let (0, Some(heading)) = (pieces, heading) {
            chunks.push(heading.to_owned());
        }
    }
    chunks
}

struct Section<'t> {
    heading: Option<&'t str>,
    body: &'t str,
    /// Heading line and body together.
    whole: &'t str,
}

/// Splits the text before each heading line; the first section may have no heading.
fn sections(text: &str) -> Vec<Section<'_>> {
    let mut starts = vec![0];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line_start > 0 && is_heading(line) {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(|bounds| {
            let whole = &text[bounds[0]..bounds[1]];
            let first_line = whole.split('\n').next().unwrap_or_default();
            if is_heading(first_line) {
                let body = &whole[first_line.len()..];
                Section { heading: Some(first_line.trim()), body, whole }
            } else {
                Section { heading: None, body: whole, whole }
            }
        })
        .collect()
}

/// `#` to `######`, a space, then text: the shape extraction gives headings.
fn is_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') && !line[hashes..].trim().is_empty()
}
