//! The bulk of a rebuild: the log as it is now, into fresh scratch tables.

use std::pin::pin;

use eventstore::{Position, PostgresStore, RecordedEvent};
use futures::{StreamExt, TryStreamExt};
use sqlx::PgPool;

use super::{read, Progress, Target};
use crate::projector::{quote_ident, run_ddl, use_schema};
use crate::ProjectionError;

/// Events per apply: large batches fold more changes in memory and spread each statement
/// over many rows.
const BATCH: usize = 20_000;

/// Projectors applying a batch at the same time, each on its own connection.
const APPLIERS: usize = 3;

/// Creates the scratch tables and projects everything visible into them, reading ahead while
/// applying. Returns the last position projected.
pub(super) async fn load(
    store: &PostgresStore,
    targets: &[Target<'_>],
    progress: &mut Progress<'_>,
) -> Result<Position, ProjectionError> {
    let pool = store.pool();
    for target in targets {
        create_scratch(pool, target).await?;
    }
    let head = store.head().await?;
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE position <= $1").bind(head.raw()).fetch_one(pool).await?;
    progress.total = u64::try_from(total).unwrap_or(0);
    progress.add(0);

    let mut chunks = pin!(read::chunks(store.clone(), head));
    let mut batch: Vec<RecordedEvent> = Vec::with_capacity(BATCH + read::CHUNK);
    let mut position = Position::START;
    loop {
        let chunk = chunks.next().await.transpose()?;
        let finished = chunk.is_none();
        batch.extend(chunk.into_iter().flatten());
        if batch.len() >= BATCH || (finished && !batch.is_empty()) {
            apply(pool, targets, &batch).await?;
            position = batch.last().map_or(position, |e| e.position);
            progress.add(batch.len());
            // Freeing a batch's JSON trees is real work: do it beside the next batch.
            let done = std::mem::replace(&mut batch, Vec::with_capacity(BATCH + read::CHUNK));
            tokio::task::spawn_blocking(move || drop(done));
        }
        if finished {
            for target in targets {
                create_indexes(pool, target).await?;
            }
            return Ok(position);
        }
    }
}

/// A fresh scratch schema with the projector's tables, replacing any left by a failed rebuild.
async fn create_scratch(pool: &PgPool, target: &Target<'_>) -> Result<(), ProjectionError> {
    let schema = quote_ident(&target.schema);
    let mut tx = pool.begin().await?;
    sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).execute(&mut *tx).await?;
    use_schema(&mut tx, &target.schema).await?;
    run_ddl(&mut tx, target.projector.schema()).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the secondary indexes on the loaded scratch tables: one sort each, several times
/// cheaper than maintaining them row by row during the load.
async fn create_indexes(pool: &PgPool, target: &Target<'_>) -> Result<(), ProjectionError> {
    let mut tx = pool.begin().await?;
    use_schema(&mut tx, &target.schema).await?;
    run_ddl(&mut tx, target.projector.indexes()).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies one batch to every target, each in its own transaction, several at once. Commits do
/// not wait for the disk: after a crash the scratch schema is thrown away anyway.
async fn apply(pool: &PgPool, targets: &[Target<'_>], events: &[RecordedEvent]) -> Result<(), ProjectionError> {
    futures::stream::iter(targets)
        .map(|target| async move {
            let mut tx = pool.begin().await?;
            sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await?;
            target.apply(&mut tx, events).await?;
            tx.commit().await?;
            Ok::<_, ProjectionError>(())
        })
        .buffer_unordered(APPLIERS)
        .try_collect()
        .await
}
