//! Rebuilding read models from the first event, beside the live tables, then swapping them in.
//!
//! The live runner keeps serving (and updating) the old tables while the new ones are built in
//! a scratch schema `ctxi_rebuild_<name>` ([`load`]). The swap ([`swap`]) is one transaction
//! that locks the checkpoint rows (waiting for the runner's in-flight batch, and holding it
//! off), projects what arrived meanwhile, replaces the tables and moves the checkpoints.
//! Readers see the old tables until that commit and the new ones after it; the runner notices
//! the moved checkpoint and carries on from there.

mod load;
mod read;
mod swap;

use std::sync::Arc;
use std::time::{Duration, Instant};

use eventstore::PostgresStore;
use sqlx::{Connection, Postgres, Transaction};

use crate::projector::{quote_ident, use_schema};
use crate::{ProjectionError, Projector};

/// How far a rebuild has come; `total` is the number of events when it started, so `done` may
/// pass it when events keep arriving (`total` then follows `done`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub done: u64,
    pub total: u64,
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildReport {
    /// Events projected (each read once, whatever the number of projectors).
    pub events: u64,
    pub elapsed: Duration,
}

/// Rebuilds one projector's tables from the first event and swaps them in atomically.
pub async fn rebuild(
    store: &PostgresStore,
    projector: &dyn Projector,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<RebuildReport, ProjectionError> {
    rebuild_set(store, vec![projector], progress).await
}

/// Rebuilds all `projectors` together: the log is read once and fed to each of them, and one
/// transaction swaps every rebuilt table in.
pub async fn rebuild_all(
    store: &PostgresStore,
    projectors: &[Arc<dyn Projector>],
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<RebuildReport, ProjectionError> {
    rebuild_set(store, projectors.iter().map(|p| p.as_ref()).collect(), progress).await
}

#[tracing::instrument(skip_all, fields(projectors = ?projectors.iter().map(|p| p.name()).collect::<Vec<_>>()))]
async fn rebuild_set(
    store: &PostgresStore,
    mut projectors: Vec<&dyn Projector>,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<RebuildReport, ProjectionError> {
    let started = Instant::now();
    // One lock order for everyone, so concurrent rebuilds and swaps cannot deadlock.
    projectors.sort_by_key(|p| p.name());
    projectors.dedup_by_key(|p| p.name());
    let targets: Vec<Target<'_>> = projectors.into_iter().map(Target::new).collect();
    // Two rebuilds of one projector would drop each other's scratch schema: queue them.
    let mut guard = store.pool().acquire().await?.detach();
    for target in &targets {
        sqlx::query("SELECT pg_advisory_lock(hashtextextended('ctxi.rebuild.' || $1, 0))")
            .bind(target.projector.name())
            .execute(&mut guard)
            .await?;
    }
    let mut progress = Progress { done: 0, total: 0, report: progress };
    let outcome = async {
        let position = load::load(store, &targets, &mut progress).await?;
        swap::swap(store, &targets, position, &mut progress).await
    }
    .await;
    if outcome.is_err() {
        for target in &targets {
            let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(&target.schema));
            sqlx::raw_sql(&drop).execute(&mut guard).await.ok();
        }
    }
    guard.close().await.ok();
    outcome?;
    let elapsed = started.elapsed();
    tracing::info!(events = progress.done, ?elapsed, "rebuilt");
    Ok(RebuildReport { events: progress.done, elapsed })
}

/// A projector and the scratch schema its tables are rebuilt in.
struct Target<'a> {
    projector: &'a dyn Projector,
    schema: String,
}

impl<'a> Target<'a> {
    fn new(projector: &'a dyn Projector) -> Self {
        Self { projector, schema: format!("ctxi_rebuild_{}", projector.name()) }
    }

    /// Applies a batch to this target's scratch tables.
    async fn apply(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        events: &[eventstore::RecordedEvent],
    ) -> Result<(), ProjectionError> {
        use_schema(tx, &self.schema).await?;
        self.projector.apply(tx, events).await
    }
}

/// Counts projected events and reports them.
struct Progress<'a> {
    done: u64,
    total: u64,
    report: &'a mut dyn FnMut(RebuildProgress),
}

impl Progress<'_> {
    fn add(&mut self, events: usize) {
        self.done += events as u64;
        self.total = self.total.max(self.done);
        (self.report)(RebuildProgress { done: self.done, total: self.total });
    }
}
