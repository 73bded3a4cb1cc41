//! A tenant's document allowance: how many documents and pages it holds against its plan.
//!
//! Every event carries the running totals, so the state is the last event alone: the
//! `commands` layer loads only a stream's last event, however many documents came and went.
//! Uploads append here at the version they read, so concurrent uploads cannot overshoot.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{Decide, DocumentId, Limit, PlanLimits};

#[derive(Clone, Debug, PartialEq)]
pub enum QuotaCommand {
    /// Admits a new document of `pages` pages, if the plan has room for it.
    Admit { document_id: DocumentId, pages: u32, limits: PlanLimits, at: OffsetDateTime },
    /// Gives an erased document's allowance back.
    Release { document_id: DocumentId, pages: u32, at: OffsetDateTime },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuotaEvent {
    DocumentAdmitted {
        document_id: DocumentId,
        pages: u32,
        documents_total: u64,
        pages_total: u64,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    DocumentReleased {
        document_id: DocumentId,
        pages: u32,
        documents_total: u64,
        pages_total: u64,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for QuotaEvent {
    fn event_type(&self) -> String {
        match self {
            Self::DocumentAdmitted { .. } => "DocumentAdmitted",
            Self::DocumentReleased { .. } => "DocumentReleased",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Which allowance an upload would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QuotaError {
    #[error("the plan allows at most {limit} documents")]
    Documents { limit: u64 },
    #[error("the plan allows at most {limit} pages; {used} are in use and the document has {requested}")]
    Pages { limit: u64, used: u64, requested: u32 },
}

/// The documents and pages a tenant holds.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentQuota {
    pub documents: u64,
    pub pages: u64,
}

impl Decide for DocumentQuota {
    const TYPE: &'static str = "document_quota";
    type Command = QuotaCommand;
    type Event = QuotaEvent;
    type Error = QuotaError;

    fn decide(&self, command: QuotaCommand) -> Result<Vec<QuotaEvent>, QuotaError> {
        match command {
            QuotaCommand::Admit { document_id, pages, limits, at } => {
                if !limits.documents.allows(self.documents) {
                    return Err(QuotaError::Documents { limit: limits.documents.cap().unwrap_or(u64::MAX) });
                }
                let pages_total = self.pages + u64::from(pages);
                if let Limit::AtMost(limit) = limits.pages {
                    if pages_total > limit {
                        return Err(QuotaError::Pages { limit, used: self.pages, requested: pages });
                    }
                }
                let documents_total = self.documents + 1;
                Ok(vec![QuotaEvent::DocumentAdmitted { document_id, pages, documents_total, pages_total, at }])
            }
            QuotaCommand::Release { document_id, pages, at } => Ok(vec![QuotaEvent::DocumentReleased {
                document_id,
                pages,
                documents_total: self.documents.saturating_sub(1),
                pages_total: self.pages.saturating_sub(u64::from(pages)),
                at,
            }]),
        }
    }

    fn apply(&mut self, event: QuotaEvent) {
        let (QuotaEvent::DocumentAdmitted { documents_total, pages_total, .. }
        | QuotaEvent::DocumentReleased { documents_total, pages_total, .. }) = event;
        *self = Self { documents: documents_total, pages: pages_total };
    }
}
