//! Ingestion of one document, start to finish: extract, screen for PII, chunk.

use std::collections::BTreeMap;

use domain::{DocumentFormat, PiiKind, PiiPolicy};

use crate::chunk::{chunk, ChunkOptions};
use crate::extract::{extract, ExtractError};
use crate::pii::{screen, AllowList};

/// What ingestion makes of a document: the chunks to index (redacted as the policy says),
/// its pages, and the personal data found, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub chunks: Vec<String>,
    pub pages: u32,
    pub pii: BTreeMap<PiiKind, u32>,
}

/// Runs the pipeline over a document's bytes. PII is screened on the whole text before
/// chunking, so a value is never split across two chunks and escapes redaction, and the
/// counts are the document's, not inflated by chunk overlap.
pub fn ingest(
    format: DocumentFormat,
    bytes: &[u8],
    policy: PiiPolicy,
    allow: &AllowList,
) -> Result<Ingested, ExtractError> {
    let extracted = extract(format, bytes)?;
    let screened = screen(&extracted.text, policy, allow);
    let chunks = chunk(&screened.text, &ChunkOptions::default());
    Ok(Ingested { chunks, pages: extracted.pages, pii: screened.counts })
}
