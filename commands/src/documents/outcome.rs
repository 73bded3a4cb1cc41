//! Recording what the ingestion worker made of a document.

use std::collections::BTreeMap;

use domain::{Document, DocumentCommand, DocumentId, PiiKind};
use eventstore::{Actor, EventStore, Position};
use serde_json::json;
use time::OffsetDateTime;

use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands};

/// The worker's result for one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexingOutcome {
    Indexed {
        chunks: Vec<String>,
        pages: u32,
        pii: BTreeMap<PiiKind, u32>,
    },
    /// `reason` is shown to the customer as it is.
    Failed {
        reason: String,
    },
}

impl<S: EventStore> Commands<S> {
    /// Records the outcome for `document_id`, as the platform. Only a pending document's first
    /// outcome is recorded, so a worker that runs a document again after a crash, or after it
    /// was erased, changes nothing ([`Position::START`]).
    #[tracing::instrument(skip_all, fields(%document_id))]
    pub async fn record_indexing(
        &self,
        at: OffsetDateTime,
        document_id: DocumentId,
        outcome: IndexingOutcome,
    ) -> Result<Position, CommandError> {
        let mut ctx = CommandContext::new(Actor::System("ingestion".into()), at);
        let document = load::<Document, _>(&*self.store, document_id).await?;
        let tenant_id = document.state.uploaded().ok_or(CommandError::NotFound("document"))?.tenant_id;
        ctx = ctx.in_tenant(tenant_id);
        let command = ctx.prepare("record_indexing", &json!({ "document_id": document_id }))?;
        let mut first = Some(document);
        let done = self
            .attempt(&command, || {
                let outcome = outcome.clone();
                let loaded = first.take();
                Box::pin(async move {
                    let document = match loaded {
                        Some(document) => document,
                        None => load::<Document, _>(&*self.store, document_id).await?,
                    };
                    let command = match outcome {
                        IndexingOutcome::Indexed { chunks, pages, pii } => {
                            DocumentCommand::RecordIndexed { chunks, pages, pii, at }
                        }
                        IndexingOutcome::Failed { reason } => DocumentCommand::RecordFailed { reason, at },
                    };
                    Ok(Decision { streams: vec![document.decide(command)?], answer: () })
                })
            })
            .await?;
        Ok(done.position)
    }
}
