//! The document aggregate: uploaded, then indexed or failed by the ingestion worker, and
//! possibly erased. Its content, title and metadata are sealed under the document's own data
//! subject, so erasing a document is shredding one key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use super::{DocumentFormat, DocumentTitle, Metadata, PiiKind};
use crate::{Decide, DocumentId, Personal, ProjectId, TenantId};

/// What can be asked of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum DocumentCommand {
    /// `content` is the document as uploaded: UTF-8 text for text formats, standard base64 for
    /// binary ones (PDF). `pages` was counted from it by the caller, for the page quota.
    Upload {
        document_id: DocumentId,
        project_id: ProjectId,
        tenant_id: TenantId,
        title: DocumentTitle,
        format: DocumentFormat,
        metadata: Metadata,
        content: String,
        bytes: u64,
        pages: u32,
        at: OffsetDateTime,
    },
    /// The worker's result: the redacted chunks to index and what was found.
    RecordIndexed {
        chunks: Vec<String>,
        pages: u32,
        pii: BTreeMap<PiiKind, u32>,
        at: OffsetDateTime,
    },
    /// The worker could not read the document; `reason` is shown to the customer.
    RecordFailed {
        reason: String,
        at: OffsetDateTime,
    },
    Erase {
        at: OffsetDateTime,
    },
}

/// What happened to a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentEvent {
    DocumentUploaded {
        document_id: DocumentId,
        project_id: ProjectId,
        tenant_id: TenantId,
        title: Personal<DocumentTitle>,
        format: DocumentFormat,
        metadata: Personal<Metadata>,
        content: Personal<String>,
        bytes: u64,
        pages: u32,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    DocumentIndexed {
        chunks: Personal<Vec<String>>,
        chunk_count: u32,
        pages: u32,
        pii: BTreeMap<PiiKind, u32>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    DocumentFailed {
        reason: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    DocumentErased {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for DocumentEvent {
    fn event_type(&self) -> String {
        match self {
            Self::DocumentUploaded { .. } => "DocumentUploaded",
            Self::DocumentIndexed { .. } => "DocumentIndexed",
            Self::DocumentFailed { .. } => "DocumentFailed",
            Self::DocumentErased { .. } => "DocumentErased",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Why a document refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    #[error("the document does not exist")]
    NotFound,
    #[error("the document already exists")]
    AlreadyExists,
}

/// Where a document is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentStatus {
    Pending,
    Indexed,
    Failed,
    Erased,
}

/// A document as its events describe it; `None` until uploaded.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Document {
    uploaded: Option<UploadedDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedDocument {
    pub id: DocumentId,
    pub project_id: ProjectId,
    pub tenant_id: TenantId,
    pub format: DocumentFormat,
    pub pages: u32,
    pub status: DocumentStatus,
    /// Chunks indexed (0 until then): embeddings may be submitted for these.
    #[serde(default)]
    pub chunks: u32,
}

impl Document {
    pub fn uploaded(&self) -> Option<&UploadedDocument> {
        self.uploaded.as_ref()
    }
}

impl Decide for Document {
    const TYPE: &'static str = "document";
    type Command = DocumentCommand;
    type Event = DocumentEvent;
    type Error = DocumentError;

    fn decide(&self, command: DocumentCommand) -> Result<Vec<DocumentEvent>, DocumentError> {
        use DocumentStatus::{Erased, Pending};
        let Some(document) = &self.uploaded else {
            return match command {
                DocumentCommand::Upload {
                    document_id,
                    project_id,
                    tenant_id,
                    title,
                    format,
                    metadata,
                    content,
                    bytes,
                    pages,
                    at,
                } => {
                    let subject = document_id.subject();
                    Ok(vec![DocumentEvent::DocumentUploaded {
                        document_id,
                        project_id,
                        tenant_id,
                        title: Personal::new(subject.clone(), title),
                        format,
                        metadata: Personal::new(subject.clone(), metadata),
                        content: Personal::new(subject, content),
                        bytes,
                        pages,
                        at,
                    }])
                }
                _ => Err(DocumentError::NotFound),
            };
        };
        match command {
            DocumentCommand::Upload { .. } => Err(DocumentError::AlreadyExists),
            // The worker may run a document twice (after a crash) or after it was erased:
            // only the first outcome of a pending document counts, the rest change nothing.
            DocumentCommand::RecordIndexed { .. } | DocumentCommand::RecordFailed { .. }
                if document.status != Pending =>
            {
                Ok(vec![])
            }
            DocumentCommand::RecordIndexed { chunks, pages, pii, at } => {
                let chunk_count = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
                let chunks = Personal::new(document.id.subject(), chunks);
                Ok(vec![DocumentEvent::DocumentIndexed { chunks, chunk_count, pages, pii, at }])
            }
            DocumentCommand::RecordFailed { reason, at } => Ok(vec![DocumentEvent::DocumentFailed { reason, at }]),
            // Erasing twice is harmless: the caller shreds the key again and answers the same.
            DocumentCommand::Erase { .. } if document.status == Erased => Ok(vec![]),
            DocumentCommand::Erase { at } => Ok(vec![DocumentEvent::DocumentErased { at }]),
        }
    }

    fn apply(&mut self, event: DocumentEvent) {
        let status = match event {
            DocumentEvent::DocumentUploaded { document_id, project_id, tenant_id, format, pages, .. } => {
                self.uploaded = Some(UploadedDocument {
                    id: document_id,
                    project_id,
                    tenant_id,
                    format,
                    pages,
                    status: DocumentStatus::Pending,
                    chunks: 0,
                });
                return;
            }
            DocumentEvent::DocumentIndexed { chunk_count, .. } => {
                if let Some(document) = &mut self.uploaded {
                    document.chunks = chunk_count;
                }
                DocumentStatus::Indexed
            }
            DocumentEvent::DocumentFailed { .. } => DocumentStatus::Failed,
            DocumentEvent::DocumentErased { .. } => DocumentStatus::Erased,
        };
        if let Some(document) = &mut self.uploaded {
            document.status = status;
        }
    }
}
