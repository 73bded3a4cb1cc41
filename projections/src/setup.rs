//! Creating the live read-model tables.

use std::sync::Arc;

use sqlx::PgPool;

use crate::projector::{quote_ident, run_ddl, use_schema};
use crate::{checkpoint, ProjectionError, Projector};

/// Creates each projector's tables and indexes in `public` if missing, and its checkpoint row.
/// Idempotent, and safe when several instances start at once. Run it on an application-role
/// pool, so the tables belong to that role and a rebuild may drop and replace them.
///
/// When some of a projector's tables are missing, all of them are recreated empty and the
/// checkpoint goes back to the start: a checkpoint is only true of the rows it was committed
/// with.
#[tracing::instrument(skip_all)]
pub async fn setup(pool: &PgPool, projectors: &[Arc<dyn Projector>]) -> Result<(), ProjectionError> {
    for projector in projectors {
        install(pool, projector.as_ref()).await?;
    }
    Ok(())
}

async fn install(pool: &PgPool, projector: &dyn Projector) -> Result<(), ProjectionError> {
    let name = projector.name();
    let mut tx = pool.begin().await?;
    // Serialises concurrent setups of this projector; not the runner's lock, which a running
    // instance holds for good.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('ctxi.setup.' || $1, 0))")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    let qualified: Vec<String> = projector.tables().iter().map(|t| format!("public.{}", quote_ident(t))).collect();
    let missing: i64 =
        sqlx::query_scalar("SELECT count(*) FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL")
            .bind(&qualified)
            .fetch_one(&mut *tx)
            .await?;
    checkpoint::ensure(&mut tx, name).await?;
    if missing > 0 {
        tracing::info!(projector = name, "creating the read model's tables; it will project from the start");
        sqlx::raw_sql(&format!("DROP TABLE IF EXISTS {}", qualified.join(", "))).execute(&mut *tx).await?;
        checkpoint::set(&mut tx, name, eventstore::Position::START).await?;
    }
    // Always, so that indexes added by a newer version appear on existing tables; quietly, as
    // "already exists, skipping" is the normal case.
    use_schema(&mut tx, "public").await?;
    sqlx::query("SET LOCAL client_min_messages = warning").execute(&mut *tx).await?;
    run_ddl(&mut tx, projector.schema()).await?;
    run_ddl(&mut tx, projector.indexes()).await?;
    tx.commit().await?;
    Ok(())
}
