//! Documents: content a project's retrieval draws on, and the allowance they use.

mod aggregate;
mod quota;
mod title;
pub mod vocabulary;

pub use aggregate::{Document, DocumentCommand, DocumentError, DocumentEvent, DocumentStatus, UploadedDocument};
pub use quota::{DocumentQuota, QuotaCommand, QuotaError, QuotaEvent};
pub use title::{DocumentTitle, Metadata, MAX_METADATA_BYTES, MAX_TITLE_CHARS};
pub use vocabulary::{DocumentFormat, InjectionPolicy, PiiKind, PiiPolicy};
