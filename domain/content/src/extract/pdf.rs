//! PDF: the real page count from the page tree, and each page's text in content-stream order.

mod text;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Document, LoadOptions};

use super::{ExtractError, MAX_PDF_PAGES};

/// Bound on the decompressed size of one stream, so a small upload cannot inflate without limit.
const MAX_DECOMPRESSED_BYTES: usize = 64 * 1024 * 1024;

/// A PDF's raw text, pages separated by a blank line, and its page count.
#[derive(Debug)]
pub(super) struct PdfText {
    pub text: String,
    pub pages: u32,
}

/// The page count from the trailer, catalog and page-tree nodes only: no page content is decoded.
pub(super) fn count_pages(bytes: &[u8]) -> Result<u32, ExtractError> {
    guarded(|| declared_pages(bytes))
}

/// Loads the whole document and reads every page's text. The page count is the one
/// [`count_pages`] reports, and a document whose page tree disagrees with it is refused: the
/// count that was checked against the plan's quota must be the work that is done.
pub(super) fn extract(bytes: &[u8]) -> Result<PdfText, ExtractError> {
    guarded(|| {
        let pages = declared_pages(bytes)?;
        let options = LoadOptions::with_max_decompressed_size(MAX_DECOMPRESSED_BYTES);
        let document = Document::load_mem_with_options(bytes, options).map_err(classify)?;
        if document.trailer.has(b"Encrypt") && document.encryption_state.is_none() {
            return Err(ExtractError::PdfEncrypted);
        }
        let page_ids = document.get_pages();
        if page_ids.len() != pages as usize {
            return Err(ExtractError::PdfMalformed);
        }
        let mut text = String::new();
        let mut readable_pages = 0;
        for page_id in page_ids.into_values() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            readable_pages += usize::from(text::append_page(&document, page_id, MAX_DECOMPRESSED_BYTES, &mut text));
        }
        if readable_pages == 0 {
            return Err(ExtractError::PdfMalformed);
        }
        Ok(PdfText { text, pages })
    })
}

fn declared_pages(bytes: &[u8]) -> Result<u32, ExtractError> {
    let metadata = Document::load_metadata_mem(bytes).map_err(classify)?;
    // Without the user password lopdf cannot read the page tree and reports no pages. A PDF
    // encrypted with an empty user password (only "owner" restrictions) is read normally.
    if metadata.encrypted && metadata.page_count == 0 {
        return Err(ExtractError::PdfEncrypted);
    }
    match metadata.page_count {
        0 => Err(ExtractError::PdfNoPages),
        pages if pages > MAX_PDF_PAGES => Err(ExtractError::PdfTooManyPages { pages, max: MAX_PDF_PAGES }),
        pages => Ok(pages),
    }
}

fn classify(error: lopdf::Error) -> ExtractError {
    match error {
        lopdf::Error::InvalidPassword
        | lopdf::Error::Decryption(_)
        | lopdf::Error::UnsupportedSecurityHandler(_)
        | lopdf::Error::AlreadyEncrypted => ExtractError::PdfEncrypted,
        _ => ExtractError::PdfMalformed,
    }
}

/// Runs PDF parsing so that a panic becomes [`ExtractError::PdfMalformed`]. lopdf parses
/// hostile input and has had panics on malformed files (slice indexing and arithmetic in its
/// parsers and decoders); one bad upload must not take the ingestion worker down. Only works
/// with `panic = "unwind"` (the default); nothing here holds state across the boundary.
fn guarded<T>(work: impl FnOnce() -> Result<T, ExtractError>) -> Result<T, ExtractError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or(Err(ExtractError::PdfMalformed))
}
