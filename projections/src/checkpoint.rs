//! Projector checkpoints: the last position whose effects are in the read model, committed in
//! the same transaction as those effects.

use std::time::Duration;

use eventstore::Position;
use sqlx::{PgConnection, PgExecutor, PgPool};
use tokio::time::Instant;

use crate::ProjectionError;

/// Creates the checkpoint row at the start if it is missing.
pub(crate) async fn ensure(conn: &mut PgConnection, projector: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO public.projector_checkpoints (projector, position) VALUES ($1, 0) ON CONFLICT DO NOTHING")
        .bind(projector)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the checkpoint row until the transaction ends and returns it. Whoever holds this lock
/// is the only one changing the projector's tables: the runner for a batch, a rebuild for the
/// swap.
pub(crate) async fn lock(conn: &mut PgConnection, projector: &str) -> Result<Position, ProjectionError> {
    let raw: Option<i64> =
        sqlx::query_scalar("SELECT position FROM public.projector_checkpoints WHERE projector = $1 FOR UPDATE")
            .bind(projector)
            .fetch_optional(conn)
            .await?;
    raw.map(Position::from_raw).ok_or_else(|| ProjectionError::UnknownProjector(projector.to_owned()))
}

/// The checkpoint as last committed.
pub(crate) async fn read<'e>(executor: impl PgExecutor<'e>, projector: &str) -> Result<Position, ProjectionError> {
    let raw: Option<i64> = sqlx::query_scalar("SELECT position FROM public.projector_checkpoints WHERE projector = $1")
        .bind(projector)
        .fetch_optional(executor)
        .await?;
    raw.map(Position::from_raw).ok_or_else(|| ProjectionError::UnknownProjector(projector.to_owned()))
}

/// Moves the checkpoint; the caller holds the row lock.
pub(crate) async fn set(conn: &mut PgConnection, projector: &str, position: Position) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.projector_checkpoints SET position = $2, updated_at = now() WHERE projector = $1")
        .bind(projector)
        .bind(position.raw())
        .execute(conn)
        .await?;
    Ok(())
}

/// Read-your-writes: returns once `projector` has projected `position` (the position a command
/// answered with), or fails with [`ProjectionError::Timeout`].
///
/// It polls the checkpoint, a primary-key lookup, starting at 5 ms and backing off to 50 ms:
/// cheap enough for a request path, and simpler than a notification per batch.
#[tracing::instrument(skip(pool))]
pub async fn wait_for(
    pool: &PgPool,
    projector: &str,
    position: Position,
    timeout: Duration,
) -> Result<(), ProjectionError> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(5);
    loop {
        if read(pool, projector).await? >= position {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ProjectionError::Timeout { projector: projector.to_owned(), position });
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
