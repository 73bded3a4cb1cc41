//! `documents` and `chunks`: each project's documents with their ingestion status, and the
//! indexed chunks retrieval searches (full text through a generated `tsvector`).
//!
//! One projector owns both tables so a document and its chunks always agree: they appear,
//! change and disappear in the same transaction. `project_versions` holds, per project, the
//! position of the last event that changed its searchable chunks: the retrieval cache keys on
//! it, so a change to a project's documents invalidates that project's cached results only. Chunk text exists in events only sealed
//! under the document's key; once a document is erased its chunks read back as erased, so
//! neither the live projector nor a rebuild can bring them back.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Document, DocumentEvent};
use eventstore::RecordedEvent;
use serde_json::Value;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::documents_rows::{write_batch, Folded, NewDocument, Outcome};
use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    document_id  uuid        PRIMARY KEY,
    project_id   uuid        NOT NULL,
    tenant_id    uuid        NOT NULL,
    title        text        NOT NULL,
    format       text        NOT NULL,
    bytes        bigint      NOT NULL,
    pages        integer     NOT NULL,
    metadata     jsonb       NOT NULL,
    status       text        NOT NULL,
    chunk_count  integer     NOT NULL DEFAULT 0,
    pii          jsonb       NOT NULL DEFAULT '{}',
    failure      text,
    uploaded_at  timestamptz NOT NULL,
    processed_at timestamptz
);
CREATE TABLE IF NOT EXISTS project_versions (
    project_id uuid   PRIMARY KEY,
    version    bigint NOT NULL
);
-- Per document, the position of the last change to its searchable chunks and whether it was
-- erased: an in-memory index holding a project's chunks as of one version reads only the
-- documents changed after it. Erased documents keep their row (an id, no content).
CREATE TABLE IF NOT EXISTS searchable_documents (
    document_id uuid    PRIMARY KEY,
    project_id  uuid    NOT NULL,
    changed_at  bigint  NOT NULL,
    erased      boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    document_id uuid    NOT NULL,
    ordinal     integer NOT NULL,
    project_id  uuid    NOT NULL,
    text        text    NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    PRIMARY KEY (document_id, ordinal)
);
-- Ranking reads the tsvector of every match, the text only of the few returned: keep the
-- tsvector in the row (compressed if need be) and move the text out of line first.
ALTER TABLE chunks ALTER COLUMN text SET STORAGE EXTERNAL, ALTER COLUMN tsv SET STORAGE MAIN;";

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS documents_by_project ON documents (project_id, uploaded_at);
CREATE INDEX IF NOT EXISTS chunks_by_project ON chunks (project_id);
CREATE INDEX IF NOT EXISTS chunks_search ON chunks USING gin (tsv);
CREATE INDEX IF NOT EXISTS searchable_documents_by_change ON searchable_documents (project_id, changed_at);";

const HANDLED: &[&str] = &["DocumentUploaded", "DocumentIndexed", "DocumentFailed", "DocumentErased"];

/// Projects document streams into `documents` and `chunks`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Documents;

#[async_trait]
impl Projector for Documents {
    fn name(&self) -> &'static str {
        "documents"
    }

    fn tables(&self) -> &'static [&'static str] {
        // `searchable_documents` came later: deployments from before lack it, so setup
        // recreates all four and replays.
        &["documents", "chunks", "project_versions", "searchable_documents"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Document::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut folded = Folded::default();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let id = stream_uuid(event)?;
            match decode::<DocumentEvent>(event)? {
                DocumentEvent::DocumentUploaded {
                    project_id,
                    tenant_id,
                    title,
                    format,
                    metadata,
                    bytes,
                    pages,
                    at,
                    ..
                } => {
                    // Read back erased (a rebuild after erasure): the row is deleted by the
                    // `DocumentErased` that follows; until then it carries no personal data.
                    let title = title.value().map(|t| t.as_str().to_owned()).unwrap_or_default();
                    let metadata = metadata.value().map_or(Value::Object(Default::default()), |m| m.clone().into());
                    let document = NewDocument {
                        project_id: project_id.as_uuid(),
                        tenant_id: tenant_id.as_uuid(),
                        title,
                        format: format.mime().to_owned(),
                        bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
                        pages: i32::try_from(pages).unwrap_or(i32::MAX),
                        metadata,
                        uploaded_at: at,
                        outcome: None,
                    };
                    folded.uploaded_in_batch.insert(id, project_id.as_uuid());
                    folded.created.insert(id, document);
                }
                DocumentEvent::DocumentIndexed { chunks, chunk_count, pii, at, .. } => {
                    let texts = chunks.value().cloned().unwrap_or_default();
                    folded.chunks.entry(id).or_default().extend(texts);
                    let pii = serde_json::to_value(&pii).map_err(|e| ProjectionError::decode(event, e))?;
                    let count = i32::try_from(chunk_count).unwrap_or(i32::MAX);
                    folded.record(id, Outcome { status: "indexed", chunk_count: count, pii, failure: None, at });
                    folded.touch(id, event.position.raw(), false);
                }
                DocumentEvent::DocumentFailed { reason, at } => {
                    let outcome = Outcome {
                        status: "failed",
                        chunk_count: 0,
                        pii: Value::Object(Default::default()),
                        failure: Some(reason),
                        at,
                    };
                    folded.record(id, outcome);
                }
                DocumentEvent::DocumentErased { .. } => {
                    folded.touch(id, event.position.raw(), true);
                    folded.erase(id);
                }
            }
        }
        write_batch(tx, folded).await
    }
}

impl Folded {
    /// A document's outcome: on its new row if it was uploaded in this batch, else an update.
    fn record(&mut self, id: Uuid, outcome: Outcome) {
        match self.created.get_mut(&id) {
            Some(document) => document.outcome = Some(outcome),
            None => {
                self.outcomes.insert(id, outcome);
            }
        }
    }

    /// Notes that the document's chunks changed at `position`, under its project when this
    /// batch uploaded it (even if it also erased it: the version must not depend on batching).
    fn touch(&mut self, id: Uuid, position: i64, erased: bool) {
        let project = self.uploaded_in_batch.get(&id).copied();
        match project {
            Some(project) => self.bumps.push((project, position)),
            None => self.touched.push((id, position)),
        }
        // Events come in order: the last change is the one to keep.
        self.searchable.insert(id, (project, position, erased));
    }

    /// Forgets everything this batch had for the document and deletes what earlier ones wrote.
    fn erase(&mut self, id: Uuid) {
        self.created.remove(&id);
        self.outcomes.remove(&id);
        self.chunks.remove(&id);
        self.erased.push(id);
    }
}

/// Chunk texts by document, in order.
pub(super) type ChunksByDocument = HashMap<Uuid, Vec<String>>;
