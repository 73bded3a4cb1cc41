//! Shared test support: a fresh database per test, appends of real domain events, a runner in
//! the background, and table snapshots to compare.
#![allow(dead_code)]

use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, Position, PostgresStore, StreamAppend,
    StreamId,
};

#[allow(unused_imports)]
pub use projections::testing::tenants_request;
use projections::{Projections, Projector, RunnerConfig};
use sqlx::PgPool;
#[allow(unused_imports)]
pub use tables::{checkpoint, from_scratch, rows, snapshot};
use time::macros::datetime;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
#[allow(unused_imports)]
pub use workload::{signup, Signup, EVENTS_PER_SIGNUP};

/// A domain event as the store takes it.
#[macro_export]
macro_rules! new_event {
    ($event:expr) => {
        eventstore::NewEvent::from_domain(&$event).expect("domain events serialise")
    };
}

mod tables;
pub mod workload;

/// `minutes` after a fixed instant: tests never depend on the clock.
pub fn at(minutes: i64) -> OffsetDateTime {
    datetime!(2024-05-01 10:00 UTC) + time::Duration::minutes(minutes)
}

pub async fn database(label: &str) -> (TestDatabase, PostgresStore) {
    let db = TestDatabase::create(label).await;
    let store = instance(&db).await;
    (db, store)
}

/// A store as another `ctxi serve` instance on the same database would open it: its own pool,
/// the same key-encryption key (every test store shares one).
pub async fn instance(db: &TestDatabase) -> PostgresStore {
    PostgresStore::new(db.app_pool(16).await, KeyEncryptionKey::from_bytes([7; 32]))
}

/// Appends `events` to one stream, recorded at `recorded_at`; returns the last position.
pub async fn append(
    store: &PostgresStore,
    kind: &str,
    id: impl Display,
    events: Vec<NewEvent>,
    recorded_at: OffsetDateTime,
) -> Position {
    let request = AppendRequest {
        streams: vec![StreamAppend { stream: StreamId::new(kind, id), expected: ExpectedVersion::Any, events }],
        metadata: EventMetadata::system("test", None, recorded_at),
        idempotency: None,
        result: serde_json::Value::Null,
    };
    store.append(request).await.expect("append").position
}

/// How a test projects what was appended.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// The live runner, one event per batch: every change meets a row from an earlier batch.
    OneByOne,
    /// A rebuild: the whole log in one batch, every change folded in memory.
    Rebuilt,
}

pub const MODES: [Mode; 2] = [Mode::OneByOne, Mode::Rebuilt];

/// Projects everything appended so far with the standard projectors, then returns.
pub async fn project(store: &PostgresStore, mode: Mode) {
    let all = projections::all();
    match mode {
        Mode::OneByOne => run_until_caught_up(store, 1).await,
        Mode::Rebuilt => {
            projections::rebuild_all(store, &all, &mut |_| {}).await.expect("rebuild");
        }
    }
}

/// Runs the standard projectors live, `batch_size` events per batch, until they have projected
/// everything appended so far.
pub async fn run_until_caught_up(store: &PostgresStore, batch_size: usize) {
    let all = projections::all();
    let runner = Projections::new(store.clone(), all.clone()).with_config(quick(batch_size));
    runner.setup().await.expect("setup");
    let running = start(runner);
    wait_all(store.pool(), &all, last_appended(store).await).await;
    running.stop().await;
}

/// The last position appended, visible to readers or not yet (the store's `head` may lag
/// behind while other tests on the server hold transactions open).
pub async fn last_appended(store: &PostgresStore) -> Position {
    let raw: Option<i64> =
        sqlx::query_scalar("SELECT max(position) FROM events").fetch_one(store.pool()).await.expect("max position");
    Position::from_raw(raw.unwrap_or(0))
}

/// A runner in the background, stopped by [`Running::stop`].
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

pub fn start(projections: Projections) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        projections
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    Running { stop: Some(stop), task }
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.expect("runner task");
    }
}

/// Quick pacing for tests: short polls and lock retries.
pub fn quick(batch_size: usize) -> RunnerConfig {
    RunnerConfig {
        batch_size,
        poll_interval: Duration::from_millis(50),
        lock_retry: Duration::from_millis(100),
        max_backoff: Duration::from_millis(200),
    }
}

/// Waits until every projector has reached `position`.
pub async fn wait_all(pool: &PgPool, projectors: &[Arc<dyn Projector>], position: Position) {
    for p in projectors {
        projections::wait_for(pool, p.name(), position, Duration::from_secs(30)).await.expect("projector caught up");
    }
}
