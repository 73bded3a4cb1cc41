//! `projections rebuild --all` and `audit verify` over a large, realistic log.

use std::sync::Arc;
use std::time::Instant;

use eventstore::postgres::verify::verify_chain;
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::PostgresStore;

use super::workload;

pub async fn run(db: &TestDatabase, events: usize) -> anyhow::Result<()> {
    let store = Arc::new(PostgresStore::new(db.app_pool(10).await, KeyEncryptionKey::generate().0));
    let projectors = projections::all();
    projections::setup(store.pool(), &projectors).await?;
    let started = Instant::now();
    let written = workload::populate(&store, events).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {written} events ({} per tenant) in {secs:.1}s ({:.0} events/s)",
        projections::testing::EVENTS_PER_TENANT,
        written as f64 / secs
    );
    sqlx::query("VACUUM ANALYZE events").execute(&db.pool).await?;

    let report = projections::rebuild_all(&store, &projectors, &mut |_| {}).await?;
    let secs = report.elapsed.as_secs_f64();
    println!(
        "projections rebuild --all ({} projectors): {} events in {secs:.2}s = {:.0} events/s",
        projectors.len(),
        report.events,
        report.events as f64 / secs
    );

    let started = Instant::now();
    let verified = verify_chain(&db.pool, None, None, |_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(verified.first_break.is_none(), "the generated chain does not verify: {:?}", verified.first_break);
    println!(
        "audit verify: {} events in {secs:.2}s = {:.0} events/s",
        verified.checked,
        verified.checked as f64 / secs
    );
    Ok(())
}
