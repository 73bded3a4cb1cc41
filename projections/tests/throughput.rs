//! Rebuild throughput over a large log: `cargo test --release -p projections --test throughput
//! -- --ignored --nocapture` (CTXI_BENCH_EVENTS sets the size, 1,000,000 by default).

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::tenants_request;
use common::workload::EVENTS_PER_TENANT;
use eventstore::postgres::{connect, PoolConfig, MIGRATOR};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{EventStore, Position, PostgresStore};
use time::OffsetDateTime;

/// Appends `events` events (rounded up to whole tenants), one tenant per append, from several
/// writers.
async fn populate(store: &Arc<PostgresStore>, events: usize) {
    let tenants = events.div_ceil(EVENTS_PER_TENANT);
    let writers = 8;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for _ in (w..tenants).step_by(writers) {
                    store.append(tenants_request(1, OffsetDateTime::now_utc())).await.expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
}

/// CPU seconds used so far by this process and by PostgreSQL (live backends plus reaped ones),
/// to tell which side a rebuild spends its time on. Linux only; zeros elsewhere.
fn cpu_seconds() -> (f64, f64) {
    fn ticks(stat: &str, fields: &[usize]) -> f64 {
        let after_name = stat.rsplit(')').next().unwrap_or("");
        let values: Vec<f64> = after_name.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
        fields.iter().map(|&f| values.get(f - 3).copied().unwrap_or(0.0)).sum::<f64>() / 100.0
    }
    let own = std::fs::read_to_string("/proc/self/stat").map(|s| ticks(&s, &[14, 15])).unwrap_or(0.0);
    let mut postgres = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if stat.contains("(postgres)") {
            postgres += ticks(&stat, &[14, 15, 16, 17]);
        }
    }
    (own, postgres)
}

/// Runs `work`, then prints its rate and where the CPU went.
async fn measure<F: std::future::Future<Output = u64>>(label: &str, work: F) {
    let (own, postgres) = cpu_seconds();
    let started = Instant::now();
    let events = work.await;
    let seconds = started.elapsed().as_secs_f64();
    let (own_after, postgres_after) = cpu_seconds();
    eprintln!(
        "{label}: {events} events in {seconds:.2} s = {:.0} events/s (cpu: us {:.1} s, postgres {:.1} s)",
        events as f64 / seconds,
        own_after - own,
        postgres_after - postgres,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --release -- --ignored --nocapture"]
async fn rebuild_all_over_a_large_log() {
    let events: usize = std::env::var("CTXI_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    // CTXI_BENCH_DATABASE keeps the log in that database between runs (created on first use),
    // sparing the minute of appends; otherwise a throwaway database.
    let kept = std::env::var("CTXI_BENCH_DATABASE").ok();
    let db = TestDatabase::create("throughput").await;
    let name = kept.clone().unwrap_or_else(|| db.name.clone());
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let fresh = kept.is_none() || !exists;
    if !exists {
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&db.pool).await.unwrap();
        let admin = connect(db.admin.clone().database(&name), &PoolConfig::default()).await.unwrap();
        MIGRATOR.run(&admin).await.unwrap();
    }
    let app = PoolConfig { max_connections: 16, role: Some("ctxi_app".into()) };
    let pool = connect(db.admin.clone().database(&name), &app).await.unwrap();
    let store = PostgresStore::new(pool, KeyEncryptionKey::from_bytes([7; 32]));
    if fresh {
        let started = Instant::now();
        populate(&Arc::new(store.clone()), events).await;
        eprintln!("appended {events} events in {:?}", started.elapsed());
        sqlx::query("VACUUM ANALYZE events").execute(store.pool()).await.ok();
    }

    measure("read_all alone", async {
        let (mut after, mut read) = (Position::START, 0);
        loop {
            let batch = store.read_all(after, 20_000).await.unwrap();
            let Some(last) = batch.last() else { break };
            after = last.position;
            read += batch.len() as u64;
        }
        read
    })
    .await;
    let all = projections::all();
    projections::setup(store.pool(), &all).await.unwrap();
    measure("rebuild_all", async { projections::rebuild_all(&store, &all, &mut |_| {}).await.unwrap().events }).await;
    if std::env::var("CTXI_BENCH_ONLY_ALL").is_ok() {
        return;
    }
    for projector in &all {
        let label = format!("rebuild {}", projector.name());
        measure(&label, async { projections::rebuild(&store, projector.as_ref(), &mut |_| {}).await.unwrap().events })
            .await;
    }
}
