//! Documents: uploading within the plan's allowance, recording the ingestion worker's
//! outcome, and erasing by crypto-shredding.

mod embeddings;
mod erase;
mod outcome;
mod upload;

pub use embeddings::{SubmittedEmbeddings, MAX_VECTORS};
pub use outcome::IndexingOutcome;
pub use upload::{stored_bytes, DocumentAccepted, UploadInput, MAX_DOCUMENT_BYTES};
