//! Appends per second and latency, store against raw SQL, at several concurrencies.
//!
//! Store: each writer owns one user stream and appends `UserRenamed` events (a sealed personal
//! field, hashed, with an expected version). Raw: the same rows (same payload and metadata
//! text) inserted into a copy of the table without the store: no sealing, hashing, head lookup
//! or key lookup, one autocommit INSERT per operation. The ratio shows the store's overhead
//! over the physical limit of this PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{Personal, UserEvent, UserId};
use eventstore::testing::TestDatabase;
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, PostgresStore, StreamAppend, StreamId,
};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::stats::{figures, Figures};

const RAW_TABLE: &str = "CREATE TABLE raw_events (
    position bigserial PRIMARY KEY, aggregate_type text NOT NULL, aggregate_id text NOT NULL,
    sequence bigint NOT NULL, event_type text NOT NULL, event_version text NOT NULL,
    payload json NOT NULL, metadata json NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL,
    UNIQUE (aggregate_type, aggregate_id, sequence))";

pub async fn run(
    db: &TestDatabase,
    seconds: Duration,
    writers: &[usize],
    batch_writers: &[usize],
) -> anyhow::Result<()> {
    let max = writers.iter().chain(batch_writers).copied().max().unwrap_or(1) as u32;
    let store =
        Arc::new(PostgresStore::new(db.app_pool(max + 2).await, eventstore::sealing::KeyEncryptionKey::generate().0));
    sqlx::query(RAW_TABLE).execute(&db.pool).await?;
    let raw_pool = eventstore::postgres::connect(
        db.admin.clone(),
        &eventstore::postgres::PoolConfig { max_connections: max + 2, role: None },
    )
    .await?;
    let sample = sample_row(&store, &db.pool).await?;

    println!("single-event appends, sealed and hashed ({}s each)", seconds.as_secs());
    println!(
        "{:>8} {:>12} {:>9} {:>9} {:>12} {:>9} {:>9} {:>10}",
        "writers", "store ev/s", "p50 ms", "p99 ms", "raw ev/s", "p50 ms", "p99 ms", "store/raw"
    );
    for &w in writers {
        let ours = measure(w, seconds, 1, |_| store_writer(store.clone(), 1)).await;
        let raw = measure(w, seconds, 1, |_| raw_writer(raw_pool.clone(), sample.clone(), 1)).await;
        print_row(w, ours, raw);
    }
    println!("\n100-event batch appends ({}s each)", seconds.as_secs());
    println!(
        "{:>8} {:>12} {:>9} {:>9} {:>12} {:>9} {:>9} {:>10}",
        "writers", "store ev/s", "p50 ms", "p99 ms", "raw ev/s", "p50 ms", "p99 ms", "store/raw"
    );
    for &w in batch_writers {
        let ours = measure(w, seconds, 100, |_| store_writer(store.clone(), 100)).await;
        let raw = measure(w, seconds, 100, |_| raw_writer(raw_pool.clone(), sample.clone(), 100)).await;
        print_row(w, ours, raw);
    }
    Ok(())
}

fn print_row(writers: usize, ours: Figures, raw: Figures) {
    println!(
        "{writers:>8} {:>12.0} {:>9.2} {:>9.2} {:>12.0} {:>9.2} {:>9.2} {:>9.0}%",
        ours.events_per_sec,
        ours.p50_ms,
        ours.p99_ms,
        raw.events_per_sec,
        raw.p50_ms,
        raw.p99_ms,
        100.0 * ours.events_per_sec / raw.events_per_sec
    );
}

/// One operation of a writer: appends `n` events and returns when they are committed.
type Op = Box<dyn FnMut() -> futures::future::BoxFuture<'static, anyhow::Result<()>> + Send>;

async fn measure(
    writers: usize,
    seconds: Duration,
    events_per_op: usize,
    mut make: impl FnMut(usize) -> Op,
) -> Figures {
    let started = Instant::now();
    let deadline = started + seconds;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let mut op = make(w);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if let Err(e) = op().await {
                        eprintln!("bench operation failed: {e:#}");
                        break;
                    }
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    figures(all, events_per_op, started.elapsed())
}

fn renamed(user: UserId, i: usize) -> anyhow::Result<NewEvent> {
    let name = Personal::new(user.subject(), format!("Writer number {i}"));
    Ok(NewEvent::from_domain(&UserEvent::UserRenamed { name, at: OffsetDateTime::now_utc() })?)
}

fn store_writer(store: Arc<PostgresStore>, batch: usize) -> Op {
    let user = UserId::new(Uuid::now_v7());
    let stream = StreamId::new("user", user);
    let mut version = 0u64;
    Box::new(move || {
        let (store, stream) = (store.clone(), stream.clone());
        let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exactly(version) };
        version += batch as u64;
        Box::pin(async move {
            let events = (0..batch).map(|i| renamed(user, i)).collect::<anyhow::Result<Vec<_>>>()?;
            let request = AppendRequest {
                streams: vec![StreamAppend { stream, expected, events }],
                metadata: EventMetadata::system("bench", Some(Uuid::nil()), OffsetDateTime::now_utc()),
                idempotency: None,
                result: serde_json::Value::Null,
            };
            store.append(request).await?;
            Ok(())
        })
    })
}

/// The stored text of one real event: the raw writer inserts exactly these bytes.
#[derive(Debug, Clone)]
struct SampleRow {
    payload: String,
    metadata: String,
}

async fn sample_row(store: &Arc<PostgresStore>, admin: &PgPool) -> anyhow::Result<SampleRow> {
    store_writer(store.clone(), 1)().await?;
    let (payload, metadata): (String, String) =
        sqlx::query_as("SELECT payload::text, metadata::text FROM events LIMIT 1").fetch_one(admin).await?;
    Ok(SampleRow { payload, metadata })
}

fn raw_writer(pool: PgPool, sample: SampleRow, batch: usize) -> Op {
    let id = Uuid::now_v7().to_string();
    let mut sequence = 0i64;
    Box::new(move || {
        let (pool, sample, id) = (pool.clone(), sample.clone(), id.clone());
        let sequences: Vec<i64> = (1..=batch as i64).map(|i| sequence + i).collect();
        sequence += batch as i64;
        Box::pin(async move {
            let hash = vec![7u8; 32];
            sqlx::query(
                "INSERT INTO raw_events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                         payload, metadata, prev_hash, hash)
                 SELECT 'user', $1, s, 'UserRenamed', '1', $2::json, $3::json, $4, $4 FROM unnest($5::bigint[]) AS s",
            )
            .bind(&id)
            .bind(&sample.payload)
            .bind(&sample.metadata)
            .bind(&hash)
            .bind(&sequences)
            .execute(&pool)
            .await?;
            Ok(())
        })
    })
}
