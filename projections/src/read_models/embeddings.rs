//! `chunk_vectors`, `embedding_rejections` and `embedding_versions`: the vectors clients
//! supplied for their chunks, the ones refused and why, and per project the position of the
//! last change to its vectors (the in-memory vector index reloads on it) with the current norm
//! statistics (query embeddings are screened against them).
//!
//! Vectors exist in events only sealed under their document; once it is erased they read back
//! erased, so neither the live projector nor a rebuild can bring them back. `vector_documents`
//! remembers which project each embedded document belongs to, whether or not its vectors can
//! still be read, so an erasure bumps the same version live and in a rebuild.
//!
//! Every vector row carries the position of the event that wrote it, and an erased document
//! keeps its `vector_documents` row with the position of its erasure: an index holding a
//! project's vectors as of one version loads only what changed after it (rows with a later
//! position, documents erased later).

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Document, EmbeddingsEvent, ProjectEmbeddings};
use eventstore::RecordedEvent;
use serde_json::Value;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::embeddings_rows::{write_batch, Folded, Rejected};
use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

// `chunk_vectors.position` came with `vector_documents` (formerly `embedded_documents`, without
// `erased_at`): deployments from before lack that table, so setup recreates all of them and
// replays, and no old-shaped `chunk_vectors` remains.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS chunk_vectors (
    document_id uuid    NOT NULL,
    ordinal     integer NOT NULL,
    project_id  uuid    NOT NULL,
    vector      real[]  NOT NULL,
    position    bigint  NOT NULL,
    PRIMARY KEY (document_id, ordinal)
);
CREATE TABLE IF NOT EXISTS vector_documents (
    document_id uuid   PRIMARY KEY,
    project_id  uuid   NOT NULL,
    erased_at   bigint
);
CREATE TABLE IF NOT EXISTS embedding_rejections (
    position    bigint      PRIMARY KEY,
    project_id  uuid        NOT NULL,
    document_id uuid        NOT NULL,
    chunk       integer     NOT NULL,
    rejection   jsonb       NOT NULL,
    at          timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS embedding_versions (
    project_id uuid   PRIMARY KEY,
    version    bigint NOT NULL,
    stats      jsonb  NOT NULL
);";

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS chunk_vectors_by_project ON chunk_vectors (project_id, position);
CREATE INDEX IF NOT EXISTS vector_documents_erased ON vector_documents (project_id, erased_at)
    WHERE erased_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS embedding_rejections_by_project ON embedding_rejections (project_id, position);";

const ERASURES: &[&str] = &["DocumentErased"];
const EMBEDDING_EVENTS: &[&str] = &["EmbeddingsAccepted", "EmbeddingRejected"];

/// Projects project-embeddings streams (and document erasures) into the vector tables.
#[derive(Debug, Default, Clone, Copy)]
pub struct Embeddings;

#[async_trait]
impl Projector for Embeddings {
    fn name(&self) -> &'static str {
        "embeddings"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["chunk_vectors", "vector_documents", "embedding_rejections", "embedding_versions"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Document::TYPE, ERASURES) || handles(event, ProjectEmbeddings::TYPE, EMBEDDING_EVENTS)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut folded = Folded::default();
        for event in events {
            let position = event.position.raw();
            if handles(event, Document::TYPE, ERASURES) {
                let document = stream_uuid(event)?;
                folded.vectors.retain(|(d, _), _| *d != document);
                folded.erased.push((document, position));
                continue;
            }
            if !handles(event, ProjectEmbeddings::TYPE, EMBEDDING_EVENTS) {
                continue;
            }
            match decode::<EmbeddingsEvent>(event)? {
                EmbeddingsEvent::EmbeddingsAccepted { project_id, document_id, vectors, stats, .. } => {
                    let (project, document) = (project_id.as_uuid(), document_id.as_uuid());
                    folded.projects.insert(document, project);
                    for v in vectors.value().cloned().unwrap_or_default() {
                        let ordinal = i32::try_from(v.chunk).unwrap_or(i32::MAX);
                        folded.vectors.insert((document, ordinal), (project, position, v.vector));
                    }
                    folded.version(project, position, json(event, &stats)?);
                }
                EmbeddingsEvent::EmbeddingRejected { project_id, document_id, chunk, rejection, stats, at } => {
                    let project = project_id.as_uuid();
                    folded.rejected.push(Rejected {
                        position,
                        project,
                        document: document_id.as_uuid(),
                        chunk: i32::try_from(chunk).unwrap_or(i32::MAX),
                        rejection: json(event, &rejection)?,
                        at,
                    });
                    folded.version(project, position, json(event, &stats)?);
                }
            }
        }
        write_batch(tx, folded).await
    }
}

fn json(event: &RecordedEvent, value: &impl serde::Serialize) -> Result<Value, ProjectionError> {
    serde_json::to_value(value).map_err(|e| ProjectionError::decode(event, e))
}

/// Vectors by (document, ordinal), with their project and the position that wrote them.
pub(super) type Vectors = HashMap<(Uuid, i32), (Uuid, i64, Vec<f32>)>;
