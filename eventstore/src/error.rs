use crate::event::StreamId;
use crate::sealing::SealingError;

/// Why an append did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("concurrency conflict on {stream}: expected version {expected:?}, found {actual}")]
    Conflict { stream: StreamId, expected: crate::ExpectedVersion, actual: u64 },
    #[error("idempotency key {0} was already used for a different request")]
    IdempotencyKeyReused(uuid::Uuid),
    #[error("an append must contain at least one event")]
    Empty,
    #[error("an append may write at most {max} events, this one has {count}")]
    TooManyEvents { count: usize, max: usize },
    #[error("stream {0} appears twice in one append")]
    DuplicateStream(StreamId),
    #[error(transparent)]
    Sealing(#[from] SealingError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A failure of the store itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("stored event at position {position} is unreadable: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error(transparent)]
    Sealing(#[from] SealingError),
    #[error("could not encode: {0}")]
    Encoding(#[from] serde_json::Error),
}

impl From<sqlx::Error> for AppendError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}

impl From<serde_json::Error> for AppendError {
    fn from(e: serde_json::Error) -> Self {
        Self::Store(StoreError::Encoding(e))
    }
}
