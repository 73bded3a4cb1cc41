//! The runner: catches up, wakes on appends, commits rows and checkpoint together, and runs
//! each projector in one instance only.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::{checkpoint, database, quick, signup, start, EVENTS_PER_SIGNUP};
use eventstore::{EventStore, Position, RecordedEvent};
use projections::{wait_for, ProjectionError, Projections, Projector};
use sqlx::{Postgres, Transaction};

/// Records the position of every event it sees; counts what it applied; can be told to fail on
/// the batch holding a given position, after writing its rows.
#[derive(Default)]
struct Recorder {
    applied: AtomicUsize,
    attempts: AtomicUsize,
    fail_at: Mutex<Option<Position>>,
}

#[async_trait]
impl Projector for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["recorded"]
    }

    fn schema(&self) -> &'static str {
        "CREATE TABLE IF NOT EXISTS recorded (position bigint PRIMARY KEY)"
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let positions: Vec<i64> = events.iter().map(|e| e.position.raw()).collect();
        sqlx::query("INSERT INTO recorded SELECT * FROM unnest($1::int8[])")
            .bind(&positions)
            .execute(&mut **tx)
            .await?;
        let fail_at = *self.fail_at.lock().expect("fail_at lock");
        if let Some(bad) = events.iter().find(|e| Some(e.position) == fail_at) {
            return Err(ProjectionError::Decode { position: bad.position, reason: "told to fail".into() });
        }
        self.applied.fetch_add(events.len(), Ordering::SeqCst);
        Ok(())
    }
}

async fn recorded(pool: &sqlx::PgPool) -> Vec<Position> {
    let raw: Vec<i64> = sqlx::query_scalar("SELECT position FROM recorded ORDER BY position")
        .fetch_all(pool)
        .await
        .expect("read recorded positions");
    raw.into_iter().map(Position::from_raw).collect()
}

/// Every event's position, once all `count` are visible (other tests' open transactions, on the
/// same server, hold readers back for a moment).
async fn all_positions(store: &eventstore::PostgresStore, count: usize) -> Vec<Position> {
    loop {
        let events = store.read_all(Position::START, 10_000).await.expect("read the log");
        if events.len() >= count {
            return events.iter().map(|e| e.position).collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runner_catches_up_and_wait_for_returns_once_the_position_is_projected() {
    let (_db, store) = database("runner_catch_up").await;
    let before = signup(&store, 0).await;
    let runner = Projections::new(store.clone(), projections::all()).with_config(quick(5));
    runner.setup().await.unwrap();
    let running = start(runner);
    common::wait_all(store.pool(), &projections::all(), before.last).await;

    let after = signup(&store, 1).await;
    wait_for(store.pool(), "tenants", after.last, Duration::from_secs(10)).await.unwrap();
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(store.pool()).await.unwrap();
    assert_eq!(tenants, 2);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_times_out_while_nothing_projects() {
    let (_db, store) = database("runner_timeout").await;
    let runner = Projections::new(store.clone(), projections::all());
    runner.setup().await.unwrap();
    let last = signup(&store, 0).await.last;
    let waited = wait_for(store.pool(), "tenants", last, Duration::from_millis(100)).await;
    assert!(
        matches!(waited, Err(ProjectionError::Timeout { ref projector, position }) if projector == "tenants" && position == last)
    );
    let unknown = wait_for(store.pool(), "nope", last, Duration::from_millis(100)).await;
    assert!(matches!(unknown, Err(ProjectionError::UnknownProjector(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caught_up_runner_wakes_on_another_instances_notify() {
    let (db, store) = database("runner_notify").await;
    let elsewhere = common::instance(&db).await;
    let mut config = quick(100);
    config.poll_interval = Duration::from_secs(600);
    let runner = Projections::new(store.clone(), projections::all()).with_config(config);
    runner.setup().await.unwrap();
    let running = start(runner);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let last = signup(&elsewhere, 0).await.last;
    wait_for(store.pool(), "users", last, Duration::from_secs(10)).await.unwrap();
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_batch_moves_neither_rows_nor_checkpoint_and_a_restart_loses_nothing() {
    let (_db, store) = database("runner_exactly_once").await;
    signup(&store, 0).await;
    let positions = all_positions(&store, EVENTS_PER_SIGNUP).await;
    assert_eq!(positions.len(), EVENTS_PER_SIGNUP);
    let recorder = Arc::new(Recorder::default());
    *recorder.fail_at.lock().unwrap() = Some(positions[7]);
    let runner = Projections::new(store.clone(), vec![recorder.clone()]).with_config(quick(5));
    runner.setup().await.unwrap();
    let running = start(runner);
    while recorder.attempts.load(Ordering::SeqCst) < 4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The first batch (5 events) committed; the second keeps failing and leaves no trace.
    assert_eq!(checkpoint(store.pool(), "recorder").await, positions[4]);
    assert_eq!(recorded(store.pool()).await, positions[..5]);
    running.stop().await;

    *recorder.fail_at.lock().unwrap() = None;
    let restarted = Projections::new(store.clone(), vec![recorder.clone()]).with_config(quick(5));
    let running = start(restarted);
    wait_for(store.pool(), "recorder", positions[EVENTS_PER_SIGNUP - 1], Duration::from_secs(10)).await.unwrap();
    assert_eq!(recorded(store.pool()).await, positions);
    assert_eq!(recorder.applied.load(Ordering::SeqCst), EVENTS_PER_SIGNUP);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_instance_runs_a_projector_and_a_standby_takes_over() {
    let (db, store) = database("runner_single").await;
    let (one, two) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
    let first = Projections::new(store.clone(), vec![one.clone()]).with_config(quick(5));
    first.setup().await.unwrap();
    let first = start(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = start(Projections::new(common::instance(&db).await, vec![two.clone()]).with_config(quick(5)));
    let mut last = Position::START;
    for minute in 0..3 {
        last = signup(&store, minute).await.last;
    }
    wait_for(store.pool(), "recorder", last, Duration::from_secs(10)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!((one.applied.load(Ordering::SeqCst), two.attempts.load(Ordering::SeqCst)), (3 * EVENTS_PER_SIGNUP, 0));
    let locks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks
          WHERE locktype = 'advisory' AND granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(locks, 1);

    first.stop().await;
    let last = signup(&store, 3).await.last;
    wait_for(store.pool(), "recorder", last, Duration::from_secs(10)).await.unwrap();
    assert_eq!(two.applied.load(Ordering::SeqCst), EVENTS_PER_SIGNUP);
    assert_eq!(recorded(store.pool()).await, all_positions(&store, 4 * EVENTS_PER_SIGNUP).await);
    second.stop().await;
}

/// A worker whose effect is slow: it holds its first batch for a while.
#[derive(Default)]
struct SlowWorker {
    effects_seen: AtomicUsize,
}

#[async_trait]
impl Projector for SlowWorker {
    fn name(&self) -> &'static str {
        "slow_worker"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[]
    }

    fn schema(&self) -> &'static str {
        ""
    }

    async fn effects(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        if self.effects_seen.fetch_add(events.len(), Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        Ok(())
    }

    async fn apply(&self, _: &mut Transaction<'_, Postgres>, _: &[RecordedEvent]) -> Result<(), ProjectionError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_slow_effects_do_not_hold_back_the_read_models() {
    let (_db, store) = database("runner_effects").await;
    let worker = Arc::new(SlowWorker::default());
    let runner = Projections::new(store.clone(), vec![worker.clone(), projections::find("users").unwrap()])
        .with_config(quick(1_000));
    runner.setup().await.unwrap();
    let running = start(runner);
    signup(&store, 0).await;
    while worker.effects_seen.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The worker is now inside its slow effect. Effects run outside any transaction, so
    // nothing hides later events from the other projectors meanwhile.
    let later = signup(&store, 1).await.last;
    wait_for(store.pool(), "users", later, Duration::from_secs(2)).await.unwrap();
    wait_for(store.pool(), "slow_worker", later, Duration::from_secs(10)).await.unwrap();
    running.stop().await;
    assert_eq!(worker.effects_seen.load(Ordering::SeqCst), 2 * EVENTS_PER_SIGNUP, "each event once");
}

/// Acts on no event: counts the batches it is asked to apply anyway.
#[derive(Default)]
struct Uninterested {
    applied: AtomicUsize,
}

#[async_trait]
impl Projector for Uninterested {
    fn name(&self) -> &'static str {
        "uninterested"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[]
    }

    fn schema(&self) -> &'static str {
        ""
    }

    fn acts_on(&self, _event: &RecordedEvent) -> bool {
        false
    }

    async fn apply(&self, _: &mut Transaction<'_, Postgres>, _: &[RecordedEvent]) -> Result<(), ProjectionError> {
        self.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_a_projector_does_not_act_on_only_move_its_checkpoint() {
    let (_db, store) = database("runner_uninterested").await;
    let uninterested = Arc::new(Uninterested::default());
    let runner = Projections::new(store.clone(), vec![uninterested.clone()]).with_config(quick(3));
    runner.setup().await.unwrap();
    let running = start(runner);
    let first = signup(&store, 0).await.last;
    wait_for(store.pool(), "uninterested", first, Duration::from_secs(10)).await.unwrap();
    // Appended while it waits: woken, it moves on again.
    let second = signup(&store, 1).await.last;
    wait_for(store.pool(), "uninterested", second, Duration::from_secs(10)).await.unwrap();
    assert_eq!(checkpoint(store.pool(), "uninterested").await, second);
    assert_eq!(uninterested.applied.load(Ordering::SeqCst), 0, "no batch reached apply");
    running.stop().await;
}
