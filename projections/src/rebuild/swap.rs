//! The atomic switch from the live tables to the rebuilt ones.

use eventstore::{EventStore, Position, PostgresStore};

use super::{read::CHUNK, Progress, Target};
use crate::projector::quote_ident;
use crate::{checkpoint, ProjectionError};

/// In one transaction: locks the targets' checkpoint rows (waiting for a live batch in flight
/// and holding the runner off), projects the events that arrived since `position` into the
/// scratch tables, replaces the live tables with them, and moves the checkpoints.
///
/// Reading while holding the locks ends: this transaction has an id, and readers return
/// nothing from transactions that started after it until it commits.
pub(super) async fn swap(
    store: &PostgresStore,
    targets: &[Target<'_>],
    mut position: Position,
    progress: &mut Progress<'_>,
) -> Result<(), ProjectionError> {
    let mut tx = store.pool().begin().await?;
    for target in targets {
        checkpoint::ensure(&mut tx, target.projector.name()).await?;
        checkpoint::lock(&mut tx, target.projector.name()).await?;
    }
    loop {
        let events = store.read_all(position, CHUNK).await?;
        let Some(last) = events.last().map(|e| e.position) else {
            break;
        };
        for target in targets {
            target.apply(&mut tx, &events).await?;
        }
        position = last;
        progress.add(events.len());
    }
    let mut ddl = String::new();
    for target in targets {
        let schema = quote_ident(&target.schema);
        for table in target.projector.tables() {
            let table = quote_ident(table);
            ddl.push_str(&format!(
                "DROP TABLE IF EXISTS public.{table}; ALTER TABLE {schema}.{table} SET SCHEMA public;\n"
            ));
        }
        ddl.push_str(&format!("DROP SCHEMA {schema} CASCADE;\n"));
    }
    sqlx::raw_sql(&ddl).execute(&mut *tx).await?;
    for target in targets {
        checkpoint::set(&mut tx, target.projector.name(), position).await?;
    }
    tx.commit().await?;
    Ok(())
}
