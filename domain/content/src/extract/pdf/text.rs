//! Text of one PDF page from its content stream.
//!
//! lopdf's own `extract_text` only breaks lines at `ET` and `T*`, so lines placed with `Td` or
//! `Tm` run together. This walker follows the text line matrix instead: a show operation on a
//! new baseline starts a new line (a new paragraph when the gap is well above the font size),
//! and a move along the same baseline, or a wide `TJ` adjustment, is a word space.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object, ObjectId};

/// A `TJ` adjustment (thousandths of an em) more negative than this is a space between words;
/// smaller ones are kerning.
const WORD_GAP: f32 = -200.0;
/// A baseline drop above this many font sizes is a paragraph break rather than a line break.
const PARAGRAPH_GAP: f32 = 1.6;
const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// Appends the page's text to `out`, and says whether the page had any readable content (a
/// scan has content that draws an image; a damaged page has none). A page that cannot be read
/// adds no text rather than failing the document: one damaged page should not hide the others.
pub(super) fn append_page(document: &Document, page_id: ObjectId, limit: usize, out: &mut String) -> bool {
    let Ok(content) = document.get_page_content_with_limit(page_id, limit) else {
        return false;
    };
    let encodings: BTreeMap<Vec<u8>, Encoding<'_>> = document
        .get_page_fonts(page_id)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, font)| font.get_font_encoding_with_limit(document, limit).ok().map(|e| (name, e)))
        .collect();
    let mut walker = Walker {
        encodings: &encodings,
        out,
        font: None,
        font_size: 0.0,
        leading: 0.0,
        line: IDENTITY,
        last_baseline: None,
        moved: false,
    };
    // Operations are read one at a time, so a stream damaged part-way still yields its start.
    let mut readable = false;
    for operation in Content::decode_iter(&content).map_while(Result::ok) {
        walker.operation(&operation.operator, &operation.operands);
        readable = true;
    }
    readable
}

struct Walker<'a, 'd> {
    encodings: &'a BTreeMap<Vec<u8>, Encoding<'d>>,
    out: &'a mut String,
    font: Option<&'a Encoding<'d>>,
    font_size: f32,
    leading: f32,
    /// The text line matrix `[a b c d e f]`.
    line: [f32; 6],
    /// Baseline of the last text shown on this page.
    last_baseline: Option<f32>,
    moved: bool,
}

impl<'a, 'd> Walker<'a, 'd> {
    fn operation(&mut self, operator: &str, operands: &[Object]) {
        let number = |index: usize| operands.get(index).and_then(|o| o.as_float().ok()).unwrap_or(0.0);
        match operator {
            "BT" => self.set_line(IDENTITY),
            "Tm" => self.set_line([number(0), number(1), number(2), number(3), number(4), number(5)]),
            "Td" => self.translate(number(0), number(1)),
            "TD" => {
                self.leading = -number(1);
                self.translate(number(0), number(1));
            }
            "T*" => self.translate(0.0, -self.leading),
            "TL" => self.leading = number(0),
            "Tf" => {
                let name = operands.first().and_then(|o| o.as_name().ok()).unwrap_or_default();
                self.font = self.encodings.get(name);
                self.font_size = number(1);
            }
            "Tj" => self.show(operands),
            "TJ" => {
                if let Some(Ok(items)) = operands.first().map(Object::as_array) {
                    self.show(items);
                }
            }
            "'" => {
                self.translate(0.0, -self.leading);
                self.show(operands);
            }
            "\"" => {
                self.translate(0.0, -self.leading);
                self.show(operands.get(2..).unwrap_or_default());
            }
            _ => {}
        }
    }

    fn set_line(&mut self, line: [f32; 6]) {
        self.line = line;
        self.moved = true;
    }

    fn translate(&mut self, tx: f32, ty: f32) {
        let [a, b, c, d, e, f] = self.line;
        self.set_line([a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f]);
    }

    fn show(&mut self, items: &[Object]) {
        let Some(encoding) = self.font else {
            return;
        };
        if self.moved {
            self.separate();
        }
        for item in items {
            match item {
                Object::String(bytes, _) => {
                    // Undecodable bytes are skipped; the rest of the page is still worth reading.
                    let _ = encoding.write_to_string(bytes, self.out);
                }
                Object::Integer(_) | Object::Real(_) if item.as_float().unwrap_or(0.0) < WORD_GAP => self.space(),
                _ => {}
            }
        }
    }

    /// What separates text shown after a move from the text before it.
    fn separate(&mut self) {
        self.moved = false;
        let baseline = self.line[5];
        let Some(last) = self.last_baseline.replace(baseline) else {
            return;
        };
        let size = (self.font_size * self.line[3].abs()).max(1.0);
        let drop = (last - baseline).abs();
        if drop > size * PARAGRAPH_GAP {
            self.out.push_str("\n\n");
        } else if drop > size * 0.3 {
            self.out.push('\n');
        } else {
            self.space();
        }
    }

    fn space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with(char::is_whitespace) {
            self.out.push(' ');
        }
    }
}
