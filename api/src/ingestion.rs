//! The ingestion worker: follows the event store like a projector (checkpointed, one
//! instance at a time, restartable) and turns each `DocumentUploaded` into `DocumentIndexed`
//! or `DocumentFailed`.
//!
//! It owns no tables; the projector runner gives it its checkpoint, its lock and its wake-ups.
//! Its effect is appending events, done before the batch's transaction opens (see
//! `Projector::effects`) and so before the checkpoint commits: after a crash the batch runs
//! again, and the document aggregate ignores a second outcome, so each document is indexed once.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use commands::{stored_bytes, Commands, IndexingOutcome};
use content::pii::AllowList;
use domain::{Decide, Document, DocumentEvent, DocumentFormat, DocumentId, Project, ProjectId, ProjectSettings};
use eventstore::{EventStore, RecordedEvent};
use futures::stream::{self, StreamExt};
use projections::{ProjectionError, Projector};
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;

/// Documents read and indexed at once: enough to keep both cores busy while others wait on
/// the database.
const CONCURRENCY: usize = 4;

/// The worker, over the same store the API writes through.
pub struct Ingestion<S> {
    commands: Commands<S>,
}

impl<S> Ingestion<S> {
    pub fn new(commands: Commands<S>) -> Self {
        Self { commands }
    }
}

impl<S> std::fmt::Debug for Ingestion<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ingestion")
    }
}

/// One uploaded document, as its event tells it.
struct Upload {
    id: DocumentId,
    project_id: ProjectId,
    format: DocumentFormat,
    content: String,
}

#[async_trait]
impl<S: EventStore> Projector for Ingestion<S> {
    fn name(&self) -> &'static str {
        "ingestion"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[]
    }

    fn schema(&self) -> &'static str {
        ""
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        is_upload(event)
    }

    /// Everything happens in `effects`: the batch's transaction only moves the checkpoint.
    async fn apply(
        &self,
        _tx: &mut Transaction<'_, Postgres>,
        _events: &[RecordedEvent],
    ) -> Result<(), ProjectionError> {
        Ok(())
    }

    async fn effects(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let uploads = uploads(events)?;
        if uploads.is_empty() {
            return Ok(());
        }
        let settings = self.settings(&uploads).await?;
        let results: Vec<Result<(), ProjectionError>> = stream::iter(uploads)
            .map(|upload| {
                let settings = settings.get(&upload.project_id).cloned().unwrap_or_default();
                self.index(upload, settings)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        results.into_iter().collect()
    }
}

impl<S: EventStore> Ingestion<S> {
    /// The current settings of every project in the batch, read once per project.
    async fn settings(&self, uploads: &[Upload]) -> Result<HashMap<ProjectId, ProjectSettings>, ProjectionError> {
        let mut settings = HashMap::new();
        for upload in uploads {
            if settings.contains_key(&upload.project_id) {
                continue;
            }
            let project = commands::load::<Project, _>(&**self.commands.store(), upload.project_id)
                .await
                .map_err(|e| ProjectionError::Worker(e.to_string()))?;
            let current = project.state.created().map(|p| p.settings.clone()).unwrap_or_default();
            settings.insert(upload.project_id, current);
        }
        Ok(settings)
    }

    async fn index(&self, upload: Upload, settings: ProjectSettings) -> Result<(), ProjectionError> {
        let id = upload.id;
        let outcome = tokio::task::spawn_blocking(move || run_pipeline(&upload, &settings)).await.unwrap_or_else(|e| {
            tracing::error!(document_id = %id, error = %e, "ingestion panicked");
            IndexingOutcome::Failed { reason: "the document could not be processed (internal error)".into() }
        });
        if let IndexingOutcome::Failed { reason } = &outcome {
            tracing::info!(document_id = %id, %reason, "document failed");
        }
        self.commands
            .record_indexing(OffsetDateTime::now_utc(), id, outcome)
            .await
            .map_err(|e| ProjectionError::Worker(e.to_string()))?;
        Ok(())
    }
}

/// Extract, screen, chunk: CPU only, run off the async threads.
fn run_pipeline(upload: &Upload, settings: &ProjectSettings) -> IndexingOutcome {
    let bytes = match stored_bytes(upload.format, &upload.content) {
        Ok(bytes) => bytes,
        Err(reason) => return IndexingOutcome::Failed { reason },
    };
    let allow = AllowList::new(&settings.pii_allow_list);
    match content::ingest(upload.format, &bytes, settings.pii_policy, &allow) {
        Ok(ingested) => IndexingOutcome::Indexed { chunks: ingested.chunks, pages: ingested.pages, pii: ingested.pii },
        Err(e) => IndexingOutcome::Failed { reason: e.to_string() },
    }
}

fn is_upload(event: &RecordedEvent) -> bool {
    event.stream.aggregate_type == Document::TYPE && event.event_type == "DocumentUploaded"
}

/// The documents uploaded in `events` whose content can still be read (an erased document's
/// content reads back erased: there is nothing to index).
fn uploads(events: &[RecordedEvent]) -> Result<Vec<Upload>, ProjectionError> {
    let mut uploads = Vec::new();
    for event in events {
        if !is_upload(event) {
            continue;
        }
        let DocumentEvent::DocumentUploaded { document_id, project_id, format, content, .. } =
            event.decode::<DocumentEvent>().map_err(|e| ProjectionError::decode(event, e))?
        else {
            continue;
        };
        if let Some(content) = content.value() {
            uploads.push(Upload { id: document_id, project_id, format, content: content.clone() });
        }
    }
    Ok(uploads)
}

/// The worker as the runner takes it.
pub fn worker<S: EventStore>(commands: Commands<S>) -> Arc<dyn Projector> {
    Arc::new(Ingestion::new(commands))
}
