//! The event store's interface, implemented by the PostgreSQL and in-memory backends.

use async_trait::async_trait;
use domain::SubjectId;

use crate::error::{AppendError, StoreError};
use crate::event::{AppendRequest, Committed, Idempotency, RecordedEvent, StreamId};
use crate::position::Position;

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends atomically to one or more streams, checking each expected version. With an
    /// idempotency key, a command that already completed returns its first outcome
    /// (`replayed: true`) and appends nothing, also when both copies race.
    async fn append(&self, request: AppendRequest) -> Result<Committed, AppendError>;

    /// A stream's events in sequence order.
    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<RecordedEvent>, StoreError>;

    /// A stream's last event, if it has any: all an aggregate whose every event carries its
    /// whole state needs to load.
    async fn read_last(&self, stream: &StreamId) -> Result<Option<RecordedEvent>, StoreError>;

    /// Up to `limit` events after `after` in global order, never returning an event while an
    /// earlier one may still commit.
    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The stored outcome (`replayed: true`) of the completed command with this idempotency
    /// key, if any; `IdempotencyKeyReused` when the key was used for a different request.
    async fn replay(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError>;

    /// Destroys the subject's data key: its personal data reads back as erased everywhere.
    /// Returns false when there was no key.
    async fn shred(&self, subject: &SubjectId) -> Result<bool, StoreError>;
}
