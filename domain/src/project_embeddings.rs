//! A project's client-supplied embeddings: screened one by one against the project's running
//! norm statistics (vector-injection defence), accepted ones recorded sealed under their
//! document (erasing the document erases its vectors), rejected ones recorded as events the
//! tenant can see.
//!
//! Every event carries the statistics after its submission, so the state is the stream's last
//! event alone: the `commands` layer loads only that, however many vectors came before.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::embedding::{check, EmbeddingGuard, NormStats, Rejection};
use crate::{Decide, DocumentId, Personal, ProjectId};

/// One chunk's vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkVector {
    pub chunk: u32,
    pub vector: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EmbeddingsCommand {
    /// Screens and records `vectors` for chunks of `document_id`, in order; each accepted one
    /// updates the statistics the next is judged by.
    Submit {
        project_id: ProjectId,
        document_id: DocumentId,
        vectors: Vec<ChunkVector>,
        guard: EmbeddingGuard,
        at: OffsetDateTime,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EmbeddingsEvent {
    EmbeddingRejected {
        project_id: ProjectId,
        document_id: DocumentId,
        chunk: u32,
        rejection: Rejection,
        stats: NormStats,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    EmbeddingsAccepted {
        project_id: ProjectId,
        document_id: DocumentId,
        count: u32,
        vectors: Personal<Vec<ChunkVector>>,
        stats: NormStats,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for EmbeddingsEvent {
    fn event_type(&self) -> String {
        match self {
            Self::EmbeddingRejected { .. } => "EmbeddingRejected",
            Self::EmbeddingsAccepted { .. } => "EmbeddingsAccepted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmbeddingsError {
    #[error("no vectors were submitted")]
    Empty,
}

/// The norm statistics of a project's accepted embeddings.
#[derive(Default, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectEmbeddings {
    pub stats: NormStats,
}

impl Decide for ProjectEmbeddings {
    const TYPE: &'static str = "project_embeddings";
    type Command = EmbeddingsCommand;
    type Event = EmbeddingsEvent;
    type Error = EmbeddingsError;

    /// Rejections first, then the accepted vectors, every event with the statistics after the
    /// whole submission (so the last event is the state).
    fn decide(&self, command: EmbeddingsCommand) -> Result<Vec<EmbeddingsEvent>, EmbeddingsError> {
        let EmbeddingsCommand::Submit { project_id, document_id, vectors, guard, at } = command;
        if vectors.is_empty() {
            return Err(EmbeddingsError::Empty);
        }
        let mut stats = self.stats;
        let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
        for submitted in vectors {
            match check(&submitted.vector, &guard, &stats) {
                Ok(norm) => {
                    stats.observe(norm);
                    accepted.push(submitted);
                }
                Err(rejection) => rejected.push((submitted.chunk, rejection)),
            }
        }
        let mut events: Vec<EmbeddingsEvent> = rejected
            .into_iter()
            .map(|(chunk, rejection)| EmbeddingsEvent::EmbeddingRejected {
                project_id,
                document_id,
                chunk,
                rejection,
                stats,
                at,
            })
            .collect();
        if !accepted.is_empty() {
            let count = u32::try_from(accepted.len()).unwrap_or(u32::MAX);
            let vectors = Personal::new(document_id.subject(), accepted);
            events.push(EmbeddingsEvent::EmbeddingsAccepted { project_id, document_id, count, vectors, stats, at });
        }
        Ok(events)
    }

    fn apply(&mut self, event: EmbeddingsEvent) {
        let (EmbeddingsEvent::EmbeddingRejected { stats, .. } | EmbeddingsEvent::EmbeddingsAccepted { stats, .. }) =
            event;
        self.stats = stats;
    }
}
