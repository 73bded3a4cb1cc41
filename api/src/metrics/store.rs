//! Counting appends at the event store itself, so that every command is counted.

use async_trait::async_trait;
use domain::SubjectId;
use eventstore::{
    AppendError, AppendRequest, Committed, EventStore, Idempotency, Position, RecordedEvent, StoreError, StreamId,
};

use super::Metrics;

/// An event store that counts appended events, conflicts and idempotent replays (from
/// `append` and `replay`), and otherwise does exactly what the store it wraps does.
#[derive(Debug, Clone)]
pub struct MeteredStore<S> {
    inner: S,
    metrics: Metrics,
}

impl<S> MeteredStore<S> {
    pub fn new(inner: S, metrics: Metrics) -> Self {
        Self { inner, metrics }
    }

    /// The wrapped store, for what only its backend offers (such as `PostgresStore::pool`).
    /// Appends made through it are not counted.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

#[async_trait]
impl<S: EventStore> EventStore for MeteredStore<S> {
    async fn append(&self, request: AppendRequest) -> Result<Committed, AppendError> {
        let events = request.streams.iter().map(|s| s.events.len()).sum();
        let started = std::time::Instant::now();
        let outcome = self.inner.append(request).await;
        self.metrics.record_append(events, &outcome, started.elapsed());
        outcome
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_stream(stream).await
    }

    async fn read_last(&self, stream: &StreamId) -> Result<Option<RecordedEvent>, StoreError> {
        self.inner.read_last(stream).await
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(after, limit).await
    }

    /// Commands look for their stored outcome here before deciding, so most retries are
    /// answered here rather than by `append`: both count as replays.
    async fn replay(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError> {
        let outcome = self.inner.replay(idempotency).await;
        if matches!(outcome, Ok(Some(_))) {
            self.metrics.record_replay();
        }
        outcome
    }

    async fn shred(&self, subject: &SubjectId) -> Result<bool, StoreError> {
        self.inner.shred(subject).await
    }
}
