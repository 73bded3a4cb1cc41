//! Markdown to the common text shape: the words a reader sees, with headings kept as `#` lines
//! so the chunker can find sections.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::html;

/// Markdown source to text: headings as `#` lines, list items as `- ` lines, code verbatim,
/// link and image text without URLs, table cells joined by ` | `, embedded HTML reduced to text.
pub(super) fn to_text(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut writer = Writer::default();
    for event in Parser::new_ext(source, options) {
        writer.event(event);
    }
    writer.out
}

#[derive(Default)]
struct Writer {
    out: String,
    list_depth: usize,
    /// Inside front matter, which is metadata rather than document text.
    in_metadata: bool,
    /// An HTML block arrives line by line; it is reduced to text once whole.
    html_block: Option<String>,
    cells_in_row: usize,
}

impl Writer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(_) if self.in_metadata => {}
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.out.push_str(&text);
            }
            Event::Html(html) => self.html_block.get_or_insert_with(String::new).push_str(&html),
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push('\n'),
            Event::Rule => self.block_break(),
            Event::TaskListMarker(done) => self.out.push_str(if done { "[x] " } else { "[ ] " }),
            // Inline HTML arrives tag by tag (its text comes as Text); only a line break matters.
            Event::InlineHtml(tag) if tag.get(1..3).is_some_and(|name| name.eq_ignore_ascii_case("br")) => {
                self.out.push('\n');
            }
            Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.block_break();
                for _ in 0..level as usize {
                    self.out.push('#');
                }
                self.out.push(' ');
            }
            // A loose list item's first paragraph continues its `- ` line.
            Tag::Paragraph if self.list_depth > 0 && (self.out.ends_with("- ") || self.out.ends_with("] ")) => {}
            Tag::Paragraph if self.list_depth > 0 => {
                self.line_break();
                self.indent(self.list_depth);
            }
            Tag::List(_) => {
                if self.list_depth == 0 {
                    self.block_break();
                }
                self.list_depth += 1;
            }
            Tag::Item => {
                self.line_break();
                self.indent(self.list_depth.saturating_sub(1));
                self.out.push_str("- ");
            }
            Tag::TableRow | Tag::TableHead => self.cells_in_row = 0,
            Tag::TableCell => {
                if self.cells_in_row > 0 {
                    self.out.push_str(" | ");
                }
                self.cells_in_row += 1;
            }
            Tag::MetadataBlock(_) => self.in_metadata = true,
            Tag::Paragraph | Tag::CodeBlock(_) | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_) => {
                self.block_break()
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph if self.list_depth > 0 => self.line_break(),
            TagEnd::List(_) => {
                self.list_depth = self.list_depth.saturating_sub(1);
                self.line_break();
                if self.list_depth == 0 {
                    self.block_break();
                }
            }
            TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow => self.line_break(),
            TagEnd::HtmlBlock => {
                if let Some(block) = self.html_block.take() {
                    self.block_break();
                    self.out.push_str(&html::to_text(&block));
                    self.block_break();
                }
            }
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
            TagEnd::Heading(_)
            | TagEnd::Paragraph
            | TagEnd::CodeBlock
            | TagEnd::BlockQuote(_)
            | TagEnd::Table
            | TagEnd::FootnoteDefinition => self.block_break(),
            _ => {}
        }
    }

    fn line_break(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn block_break(&mut self) {
        self.line_break();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn indent(&mut self, levels: usize) {
        for _ in 0..levels {
            self.out.push_str("  ");
        }
    }
}
