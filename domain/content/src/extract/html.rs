//! HTML to the common text shape, from a WHATWG tokenizer rather than a DOM: extraction only
//! needs the reading order of text and where blocks start, and the tokenizer decodes entities
//! and recovers from malformed markup as browsers do, without the cost of building a tree.

use html5gum::{DefaultEmitter, StartTag, Token, Tokenizer};

/// Elements whose content is never document text.
const HIDDEN: [&[u8]; 7] = [b"head", b"script", b"style", b"noscript", b"template", b"svg", b"iframe"];
/// Elements that may appear in `<head>`; any other start tag means the head has ended.
const HEAD_CONTENT: [&[u8]; 9] =
    [b"title", b"meta", b"link", b"style", b"script", b"base", b"noscript", b"template", b"basefont"];
/// Elements that start and end a paragraph (a blank line around them).
const BLOCKS: [&[u8]; 29] = [
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"body",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figure",
    b"footer",
    b"form",
    b"header",
    b"hgroup",
    b"hr",
    b"html",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"p",
    b"pre",
    b"section",
    b"table",
    b"ul",
    b"listing",
];
/// Elements that start and end a line.
const LINES: [&[u8]; 9] = [b"br", b"caption", b"dd", b"dt", b"figcaption", b"legend", b"option", b"summary", b"tr"];

/// HTML source to text. The `<title>` is used only when the body has no text: an ordinary
/// page's title repeats its first heading or carries the site name, which would only add noise.
pub(super) fn to_text(source: &str) -> String {
    let mut emitter = DefaultEmitter::default();
    // Puts the tokenizer in raw-text states after <script>, <style>, <title>... as a tree
    // builder would, so their content is never read as markup.
    emitter.naively_switch_states(true);
    let mut writer = Writer::default();
    for token in Tokenizer::new_with_emitter(source, emitter).flatten() {
        match token {
            Token::StartTag(tag) => writer.start(&tag),
            Token::EndTag(tag) => writer.end(&tag.name),
            Token::String(text) => writer.text(&String::from_utf8_lossy(&text.value)),
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    if writer.out.trim().is_empty() {
        return writer.title;
    }
    writer.out
}

#[derive(Default)]
struct Writer {
    out: String,
    title: String,
    in_title: bool,
    /// Open hidden elements, innermost last; nothing inside them is text.
    hidden: Vec<Vec<u8>>,
    pre_depth: usize,
    pending_space: bool,
    /// Where the open heading's `#` prefix starts: a heading stays on one line.
    heading_start: Option<usize>,
    in_cell: bool,
    cells_in_row: usize,
    /// Where the text of the open list item starts, after its `- ` prefix.
    item_start: Option<usize>,
}

impl Writer {
    fn start(&mut self, tag: &StartTag<()>) {
        let name = tag.name.as_slice();
        if self.hidden == [b"head"] && !HEAD_CONTENT.contains(&name) {
            self.hidden.clear();
        }
        if name == b"title" {
            self.in_title = true;
            return;
        }
        if HIDDEN.contains(&name) {
            self.hidden.push(name.to_vec());
        }
        if !self.hidden.is_empty() {
            return;
        }
        match name {
            b"pre" => self.pre_depth += 1,
            b"tr" | b"table" => self.end_row(),
            _ => {}
        }
        if let Some(level) = heading_level(name) {
            self.block_break();
            self.heading_start = Some(self.out.len());
            self.out.extend(std::iter::repeat_n('#', level));
            self.out.push(' ');
        } else if name == b"li" {
            self.line_break();
            self.out.push_str("- ");
            self.item_start = Some(self.out.len());
        } else if name == b"td" || name == b"th" {
            if self.cells_in_row > 0 {
                self.out.push_str(" | ");
            }
            self.pending_space = false;
            self.cells_in_row += 1;
            self.in_cell = true;
        } else if name == b"img" {
            if let Some(alt) = tag.attributes.get(b"alt".as_slice()) {
                self.text(&String::from_utf8_lossy(&alt.value));
            }
        } else {
            self.boundary(name);
        }
    }

    fn end(&mut self, name: &[u8]) {
        if name == b"title" {
            self.in_title = false;
            return;
        }
        if let Some(open) = self.hidden.iter().rposition(|hidden| hidden.as_slice() == name) {
            self.hidden.truncate(open);
            return;
        }
        if !self.hidden.is_empty() {
            return;
        }
        match name {
            b"pre" => self.pre_depth = self.pre_depth.saturating_sub(1),
            b"tr" | b"table" => self.end_row(),
            _ => {}
        }
        if heading_level(name).is_some() {
            if let Some(start) = self.heading_start.take() {
                if self.out[start..].trim_end().chars().all(|c| c == '#') {
                    self.out.truncate(start);
                }
            }
            self.block_break();
        } else if name == b"li" {
            if self.item_start.take() == Some(self.out.len()) {
                self.out.truncate(self.out.len() - 2);
            }
            self.line_break();
        } else if name == b"td" || name == b"th" {
            self.in_cell = false;
        } else {
            self.boundary(name);
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.title.push_str(text);
            return;
        }
        if !self.hidden.is_empty() {
            // Text in <head> that is not whitespace means the head has ended, as browsers read it.
            if self.hidden != [b"head"] || text.trim().is_empty() {
                return;
            }
            self.hidden.clear();
        }
        if self.pre_depth > 0 && self.heading_start.is_none() && !self.in_cell {
            self.out.push_str(text);
            return;
        }
        if text.starts_with(|c: char| c.is_ascii_whitespace()) {
            self.pending_space = true;
        }
        for word in text.split_ascii_whitespace() {
            if self.pending_space && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            self.out.push_str(word);
            self.pending_space = true;
        }
        self.pending_space = text.ends_with(|c: char| c.is_ascii_whitespace());
    }

    fn boundary(&mut self, name: &[u8]) {
        if BLOCKS.contains(&name) {
            self.block_break();
        } else if LINES.contains(&name) {
            self.line_break();
        }
    }

    fn end_row(&mut self) {
        self.cells_in_row = 0;
        self.in_cell = false;
    }

    /// Inside a heading or a table cell a break is only a space: both must stay on one line.
    fn inline_only(&self) -> bool {
        self.heading_start.is_some() || self.in_cell
    }

    fn line_break(&mut self) {
        if self.inline_only() || self.item_start == Some(self.out.len()) {
            self.pending_space = true;
            return;
        }
        self.pending_space = false;
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn block_break(&mut self) {
        self.line_break();
        if !self.inline_only()
            && self.item_start != Some(self.out.len())
            && !self.out.is_empty()
            && !self.out.ends_with("\n\n")
        {
            self.out.push('\n');
        }
    }
}

fn heading_level(name: &[u8]) -> Option<usize> {
    match name {
        [b'h', level @ b'1'..=b'6'] => Some(usize::from(level - b'0')),
        _ => None,
    }
}
