//! Bytes of an uploaded document to normalised plain text and its page count.
//!
//! Every format ends in the same text shape, so the chunker and the PII screen see one language:
//! LF line ends, no control characters other than `\n` and `\t`, at most one blank line in a row,
//! no trailing spaces, headings as `#`-prefixed lines (Markdown and HTML), and pages separated by
//! a blank line (PDF). The private-use characters U+E000 and U+E001 are removed because
//! retrieval uses them as highlight sentinels.
//!
//! Pages are what plans meter. A PDF has real pages; any other format counts one page per
//! [`CHARS_PER_PAGE`] characters of *extracted* text, so markup does not cost the customer.

mod html;
mod markdown;
mod normalize;
mod pdf;

use domain::DocumentFormat;

/// Characters of extracted text that make one page for formats without real pages (documented product rule).
pub const CHARS_PER_PAGE: usize = 3_000;

/// The most pages a PDF may have: bounds the work one upload can cause.
pub const MAX_PDF_PAGES: u32 = 2_000;

/// A document's text, normalised, and the pages it is metered as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    pub pages: u32,
}

/// Why a document could not be read; Display is a sentence shown to the end user (e.g. "the PDF is encrypted", "the file is not valid UTF-8 text", "the PDF has no extractable text (is it a scan?)").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Text formats must be UTF-8: a lossy decode would index replacement characters silently.
    #[error("the file is not valid UTF-8 text")]
    NotUtf8,
    #[error("the document contains no text")]
    NoText,
    #[error("the PDF is encrypted")]
    PdfEncrypted,
    /// Damaged or not a PDF at all; the parser's detail is not shown to users.
    #[error("the file is not a readable PDF (it may be damaged)")]
    PdfMalformed,
    #[error("the PDF has no pages")]
    PdfNoPages,
    #[error("the PDF has {pages} pages, more than the {max} that can be read")]
    PdfTooManyPages { pages: u32, max: u32 },
    #[error("the PDF has no extractable text (is it a scan?)")]
    PdfNoText,
}

/// Bytes of `format` to normalised plain text and its page count.
///
/// HTML falls back to the `<title>` only when the body has no text at all, so a page that is
/// nothing but a title is still searchable, while an ordinary page's title (often repeated in
/// its first heading, or padded with the site name) does not pollute the first chunk.
pub fn extract(format: DocumentFormat, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    if format == DocumentFormat::Pdf {
        let document = pdf::extract(bytes)?;
        let text = normalize::normalize(&document.text);
        if text.is_empty() {
            return Err(ExtractError::PdfNoText);
        }
        return Ok(Extracted { text, pages: document.pages });
    }
    let source = decode_utf8(bytes)?;
    let raw = match format {
        DocumentFormat::Markdown => markdown::to_text(source),
        DocumentFormat::Html => html::to_text(source),
        DocumentFormat::PlainText | DocumentFormat::Pdf => source.to_owned(),
    };
    let text = normalize::normalize(&raw);
    if text.is_empty() {
        return Err(ExtractError::NoText);
    }
    let pages = text_pages(&text);
    Ok(Extracted { text, pages })
}

/// The page count alone, cheaply (used at upload to check the plan's page quota before anything is stored). Must equal extract(..).pages whenever extract succeeds.
///
/// A PDF's page tree is read without decoding any page content; text formats are extracted,
/// because their pages are defined by the extracted text and extraction is cheap.
pub fn count_pages(format: DocumentFormat, bytes: &[u8]) -> Result<u32, ExtractError> {
    match format {
        DocumentFormat::Pdf => pdf::count_pages(bytes),
        _ => extract(format, bytes).map(|extracted| extracted.pages),
    }
}

/// `max(1, ceil(chars / CHARS_PER_PAGE))`, chars counted as Unicode scalar values.
fn text_pages(text: &str) -> u32 {
    let pages = text.chars().count().div_ceil(CHARS_PER_PAGE).max(1);
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// Strict UTF-8 without a leading byte-order mark.
fn decode_utf8(bytes: &[u8]) -> Result<&str, ExtractError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| ExtractError::NotUtf8)
}
