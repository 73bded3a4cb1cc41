//! The log for the rebuild and verify benches, generated with `projections::testing`.

use std::sync::Arc;

use eventstore::{EventStore, PostgresStore};
use indicatif::{ProgressBar, ProgressStyle};
use projections::testing::{tenants_request, EVENTS_PER_TENANT};
use time::OffsetDateTime;

const WRITERS: usize = 8;

/// Appends at least `events` events, one tenant per append, from several writers.
pub async fn populate(store: &Arc<PostgresStore>, events: usize) -> anyhow::Result<usize> {
    let tenants = events.div_ceil(EVENTS_PER_TENANT);
    let bar = ProgressBar::new((tenants * EVENTS_PER_TENANT) as u64).with_style(
        ProgressStyle::with_template("generating {bar:40} {pos}/{len} events ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, bar) = (store.clone(), bar.clone());
            tokio::spawn(async move {
                for _ in (w..tenants).step_by(WRITERS) {
                    store.append(tenants_request(1, OffsetDateTime::now_utc())).await?;
                    bar.inc(EVENTS_PER_TENANT as u64);
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    bar.finish_and_clear();
    Ok(tenants * EVENTS_PER_TENANT)
}
