//! What can go wrong while projecting, waiting for or rebuilding read models.

use eventstore::{Position, StoreError};

/// A failure of a projector, the runner, a rebuild or a read-your-writes wait.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("reading events failed")]
    Store(#[from] StoreError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// An event the projector handles could not be understood; the projector stops here rather
    /// than skip it, since skipping would leave the read model silently wrong.
    #[error("event at position {position} cannot be projected: {reason}")]
    Decode { position: Position, reason: String },
    #[error("projector {projector} did not reach position {position} in time")]
    Timeout { projector: String, position: Position },
    #[error(
        "unknown projector {0:?} (known projectors: {known}; a custom one needs `setup` first)",
        known = crate::read_models::NAMES.join(", ")
    )]
    UnknownProjector(String),
    /// A worker that follows the log like a projector (ingestion) could not carry out its
    /// effect; the batch runs again after a backoff.
    #[error("worker failed: {0}")]
    Worker(String),
}

impl ProjectionError {
    pub fn decode(event: &eventstore::RecordedEvent, reason: impl std::fmt::Display) -> Self {
        Self::Decode { position: event.position, reason: reason.to_string() }
    }
}
