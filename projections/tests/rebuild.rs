//! Rebuilds: fresh tables beside the live ones, swapped in atomically, identical row for row.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use common::{
    at, checkpoint, database, from_scratch, last_appended, project, quick, signup, snapshot, start, tenants_request,
    wait_all, Mode, EVENTS_PER_SIGNUP,
};
use eventstore::{EventStore, RecordedEvent};
use projections::{read_models::Tenants, rebuild, ProjectionError, Projections, Projector, RebuildProgress};
use sqlx::{PgPool, Postgres, Transaction};

async fn scratch_schemas(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ctxi_rebuild_%'")
        .fetch_one(pool)
        .await
        .expect("count scratch schemas")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_reproduces_the_live_tables_row_for_row() {
    let (_db, store) = database("rebuild_same_rows").await;
    for minute in 0..5 {
        signup(&store, minute).await;
    }
    project(&store, Mode::OneByOne).await;
    let live = snapshot(store.pool(), "public").await;
    assert!(live.iter().all(|(_, rows)| !rows.is_empty()));

    let mut seen = Vec::new();
    let all = projections::all();
    let report = projections::rebuild_all(&store, &all, &mut |p: RebuildProgress| seen.push(p)).await.unwrap();

    assert_eq!(snapshot(store.pool(), "public").await, live);
    let events = 5 * EVENTS_PER_SIGNUP as u64;
    assert_eq!(report.events, events);
    assert_eq!(seen.last(), Some(&RebuildProgress { done: events, total: events }));
    for p in &all {
        assert_eq!(checkpoint(store.pool(), p.name()).await, last_appended(&store).await);
    }
    assert_eq!(scratch_schemas(store.pool()).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_while_the_runner_and_writers_run_ends_identical_to_a_projection_from_scratch() {
    let (_db, store) = database("rebuild_live").await;
    for minute in 0..20 {
        signup(&store, minute).await;
    }
    let all = projections::all();
    let runner = Projections::new(store.clone(), all.clone()).with_config(quick(7));
    runner.setup().await.unwrap();
    let running = start(runner);
    let writing = Arc::new(AtomicBool::new(true));
    let writer = tokio::spawn({
        let (store, writing) = (store.clone(), writing.clone());
        async move {
            let mut minute = 100;
            while writing.load(Ordering::SeqCst) {
                signup(&store, minute).await;
                minute += 1;
            }
        }
    });

    let before = last_appended(&store).await;
    projections::rebuild_all(&store, &all, &mut |_| {}).await.unwrap();
    rebuild(&store, &Tenants, &mut |_| {}).await.unwrap();
    assert!(last_appended(&store).await > before, "the writer appended during the rebuilds");
    writing.store(false, Ordering::SeqCst);
    writer.await.unwrap();
    let head = last_appended(&store).await;
    wait_all(store.pool(), &all, head).await;
    running.stop().await;

    assert_eq!(snapshot(store.pool(), "public").await, from_scratch(&store).await);
    for p in &all {
        assert_eq!(checkpoint(store.pool(), p.name()).await, head);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erased_users_have_no_email_or_name_after_shred_and_rebuild() {
    let (_db, store) = database("rebuild_erased").await;
    let ada = signup(&store, 0).await;
    let bob = signup(&store, 1).await;
    project(&store, Mode::OneByOne).await;

    assert!(store.shred(&ada.user.subject()).await.unwrap());
    rebuild(&store, projections::find("users").unwrap().as_ref(), &mut |_| {}).await.unwrap();

    let rows: Vec<(uuid::Uuid, Option<String>, Option<String>, bool)> =
        sqlx::query_as("SELECT user_id, email, name, erased FROM users ORDER BY created_at")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let bob_email = format!("{}@example.com", bob.user);
    assert_eq!(
        rows,
        vec![(ada.user.as_uuid(), None, None, true), (bob.user.as_uuid(), Some(bob_email), Some("Ada".into()), false),]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_over_many_chunks_and_batches_matches_the_live_tables_and_a_projection_from_scratch() {
    let (_db, store) = database("rebuild_many_chunks").await;
    for minute in 0..15 {
        // 100 tenants, 2,300 events per append: 34,500 events, several rebuild batches.
        store.append(tenants_request(100, at(minute))).await.unwrap();
    }
    common::run_until_caught_up(&store, 777).await;
    let live = snapshot(store.pool(), "public").await;

    let report = projections::rebuild_all(&store, &projections::all(), &mut |_| {}).await.unwrap();

    assert_eq!(report.events, 34_500);
    let rebuilt = snapshot(store.pool(), "public").await;
    assert!(rebuilt == live, "the rebuilt tables differ from the live ones");
    assert!(rebuilt == from_scratch(&store).await, "the rebuilt tables differ from a projection from scratch");
}

/// Builds `tenants` like the real projector, then fails.
struct Broken;

#[async_trait]
impl Projector for Broken {
    fn name(&self) -> &'static str {
        "tenants"
    }

    fn tables(&self) -> &'static [&'static str] {
        Tenants.tables()
    }

    fn schema(&self) -> &'static str {
        Tenants.schema()
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        Tenants.apply(tx, events).await?;
        Err(ProjectionError::Decode { position: events[0].position, reason: "broken".into() })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_rebuild_leaves_the_live_tables_and_checkpoint_alone() {
    let (_db, store) = database("rebuild_failed").await;
    signup(&store, 0).await;
    project(&store, Mode::OneByOne).await;
    let (live, position) = (snapshot(store.pool(), "public").await, checkpoint(store.pool(), "tenants").await);

    let failed = rebuild(&store, &Broken, &mut |_| {}).await;

    assert!(matches!(failed, Err(ProjectionError::Decode { .. })), "{failed:?}");
    assert_eq!(snapshot(store.pool(), "public").await, live);
    assert_eq!(checkpoint(store.pool(), "tenants").await, position);
    assert_eq!(scratch_schemas(store.pool()).await, 0);
}

#[test]
fn an_unknown_projector_name_lists_the_known_ones() {
    let err = projections::find("tenant").unwrap_err();
    assert!(matches!(err, ProjectionError::UnknownProjector(ref name) if name == "tenant"));
    assert!(err.to_string().contains("tenants, users, memberships, projects, api_keys, email_claims"), "{err}");
}
