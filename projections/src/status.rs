//! How far behind each projector is, for `ctxi projections status` and health checks.

use eventstore::{Position, PostgresStore};
use serde::Serialize;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::ProjectionError;

/// One projector's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectorStatus {
    pub name: String,
    pub position: Position,
    /// Events after the checkpoint, up to the head readers may see. Positions are sparse, so
    /// this is a count, never a difference of positions.
    pub lag_events: i64,
    /// How much older the checkpoint's event is than the newest event (by `recorded_at`);
    /// from the start, measured from the first unprojected event. 0 when caught up.
    pub lag_seconds: f64,
}

/// The status of every projector with a checkpoint, by name. Checkpoints are read from
/// `pool`, the head from `store`.
pub async fn status(pool: &PgPool, store: &PostgresStore) -> Result<Vec<ProjectorStatus>, ProjectionError> {
    let head = store.head().await?;
    let head_at = recorded_at(pool, head).await?;
    let rows: Vec<(String, i64, i64, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT c.projector, c.position,
                (SELECT count(*) FROM events e WHERE e.position > c.position AND e.position <= $1),
                coalesce(
                    (SELECT (e.metadata->>'recorded_at')::timestamptz FROM events e WHERE e.position = c.position),
                    (SELECT (e.metadata->>'recorded_at')::timestamptz FROM events e
                      WHERE e.position > c.position ORDER BY e.position LIMIT 1))
           FROM projector_checkpoints c
          ORDER BY c.projector",
    )
    .bind(head.raw())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, position, lag_events, checkpoint_at)| {
            let lag_seconds = match (lag_events, head_at, checkpoint_at) {
                (1.., Some(head_at), Some(at)) => (head_at - at).as_seconds_f64().max(0.0),
                _ => 0.0,
            };
            ProjectorStatus { name, position: Position::from_raw(position), lag_events, lag_seconds }
        })
        .collect())
}

async fn recorded_at(pool: &PgPool, position: Position) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar("SELECT (metadata->>'recorded_at')::timestamptz FROM events WHERE position = $1")
        .bind(position.raw())
        .fetch_optional(pool)
        .await
}
