//! Reading the log for a rebuild: several chunks at once, delivered in order.
//!
//! Decoding events (JSON, unsealing) is the costliest part of a rebuild, so chunks are read by
//! concurrent tasks. Their bounds come from a cheap index query: the `CHUNK`-th position after
//! a chunk's start is its end and the next chunk's start. Up to `head` (visible when the
//! rebuild began) the log no longer changes, so each chunk reads exactly the events between its
//! bounds; the last chunk reads on past `head`.

use eventstore::{EventStore, Position, PostgresStore, RecordedEvent};
use futures::{Stream, StreamExt};
use sqlx::PgPool;

use crate::ProjectionError;

/// Events per `read_all` call. Chunks are read by several tasks at once because decoding
/// dominates; batches applied are several chunks (see `load`).
pub(super) const CHUNK: usize = 5_000;

/// Chunks read concurrently.
const READERS: usize = 3;

/// The log from the start, through `head` at least, as chunks in order.
pub(super) fn chunks(
    store: PostgresStore,
    head: Position,
) -> impl Stream<Item = Result<Vec<RecordedEvent>, ProjectionError>> {
    let pool = store.pool().clone();
    let bounds = futures::stream::unfold(Some(Position::START), move |start| {
        let pool = pool.clone();
        async move {
            let start = start?;
            match chunk_end(&pool, start, head).await {
                Ok(end) => Some((Ok((start, end)), end)),
                Err(e) => Some((Err(e), None)),
            }
        }
    });
    bounds
        .map(move |bounds| {
            let store = store.clone();
            async move {
                let (start, end) = bounds?;
                match tokio::spawn(read_chunk(store, start, end)).await {
                    Ok(chunk) => chunk,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    // Only a runtime shutting down cancels the task, and it drops us too.
                    Err(_) => std::future::pending().await,
                }
            }
        })
        .buffered(READERS)
}

/// The position `CHUNK` events after `start`, if there are that many up to `head`.
async fn chunk_end(pool: &PgPool, start: Position, head: Position) -> Result<Option<Position>, ProjectionError> {
    let raw: Option<i64> = sqlx::query_scalar(
        "SELECT position FROM events WHERE position > $1 AND position <= $2
          ORDER BY position OFFSET $3 LIMIT 1",
    )
    .bind(start.raw())
    .bind(head.raw())
    .bind(CHUNK as i64 - 1)
    .fetch_optional(pool)
    .await?;
    Ok(raw.map(Position::from_raw))
}

/// The events after `start`, ending exactly at `end` when it is given.
async fn read_chunk(
    store: PostgresStore,
    start: Position,
    end: Option<Position>,
) -> Result<Vec<RecordedEvent>, ProjectionError> {
    let events = store.read_all(start, CHUNK).await?;
    match (end, events.last()) {
        (Some(end), last) if last.map(|e| e.position) != Some(end) => Err(ProjectionError::Decode {
            position: end,
            reason: format!("the log changed under the rebuild: the chunk after {start} did not end here"),
        }),
        _ => Ok(events),
    }
}
