//! One runner per projector across all `ctxi serve` instances, by PostgreSQL advisory lock.

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};

use crate::signals::Stop;

/// The advisory lock key of a projector: a stable hash computed by PostgreSQL itself, so every
/// instance and version of the binary agrees on it.
const LOCK_KEY: &str = "SELECT pg_try_advisory_lock(hashtextextended('ctxi.projector.' || $1, 0))";

/// Returns a dedicated connection holding `projector`'s session-level advisory lock, waiting
/// while another instance holds it (retrying every `retry`), or `None` once shutdown is asked.
///
/// The connection is detached from the pool: it lives as long as this instance runs the
/// projector, and the projector's transactions run on it too, so the work can never outlive
/// the lock: if the connection drops, PostgreSQL releases the lock and the work fails with it.
pub(crate) async fn acquire(
    pool: &PgPool,
    projector: &str,
    retry: Duration,
    stop: &mut Stop,
) -> Result<Option<PgConnection>, sqlx::Error> {
    let mut conn = pool.acquire().await?.detach();
    loop {
        let held: bool = sqlx::query_scalar(LOCK_KEY).bind(projector).fetch_one(&mut conn).await?;
        if held {
            return Ok(Some(conn));
        }
        tracing::debug!(projector, "another instance runs this projector; standing by");
        if !stop.sleep(retry).await {
            conn.close().await.ok();
            return Ok(None);
        }
    }
}
