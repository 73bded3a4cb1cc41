//! Reading tables and checkpoints back, to compare read models row for row.

use eventstore::{EventStore, Position, PostgresStore};
use sqlx::PgPool;

/// A table's rows as sorted text, to compare tables row for row.
pub async fn rows(pool: &PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(&format!("SELECT t::text FROM {table} t ORDER BY 1")).fetch_all(pool).await.expect("read table")
}

/// Every standard table, qualified with `schema`, as sorted text rows.
pub async fn snapshot(pool: &PgPool, schema: &str) -> Vec<(String, Vec<String>)> {
    let mut tables = Vec::new();
    for p in projections::all() {
        for table in p.tables() {
            tables.push((table.to_string(), rows(pool, &format!("{schema}.{table}")).await));
        }
    }
    tables
}

/// Projects the whole log from scratch, in one batch per projector, into schema `expected`,
/// and returns its snapshot.
pub async fn from_scratch(store: &PostgresStore) -> Vec<(String, Vec<String>)> {
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(store.pool()).await.expect("count events");
    let events = loop {
        let events = store.read_all(Position::START, 1_000_000).await.expect("read the log");
        if events.len() as i64 == count {
            break events;
        }
    };
    let mut tx = store.pool().begin().await.expect("begin");
    sqlx::raw_sql("CREATE SCHEMA expected; SET LOCAL search_path TO expected")
        .execute(&mut *tx)
        .await
        .expect("scratch schema");
    for projector in projections::all() {
        sqlx::raw_sql(projector.schema()).execute(&mut *tx).await.expect("create tables");
        projector.apply(&mut tx, &events).await.expect("project from scratch");
    }
    tx.commit().await.expect("commit");
    snapshot(store.pool(), "expected").await
}

pub async fn checkpoint(pool: &PgPool, projector: &str) -> Position {
    let raw: i64 = sqlx::query_scalar("SELECT position FROM projector_checkpoints WHERE projector = $1")
        .bind(projector)
        .fetch_one(pool)
        .await
        .expect("checkpoint");
    Position::from_raw(raw)
}
