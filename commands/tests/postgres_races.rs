//! Against a real PostgreSQL: limits and email uniqueness hold under concurrent commands, and
//! personal data reaches the tables only sealed.

mod support;

use std::sync::Arc;

use commands::{CommandError, Commands};
use domain::Role;
use eventstore::testing::TestDatabase;
use eventstore::PostgresStore;
use support::*;

const RACERS: usize = 10;

async fn postgres(db: &TestDatabase) -> Arc<Commands<PostgresStore>> {
    Arc::new(Commands::new(Arc::new(db.store().await), secrets()))
}

async fn count_events(db: &TestDatabase, event_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = $1")
        .bind(event_type)
        .fetch_one(&db.pool)
        .await
        .expect("count events")
}

/// Runs `RACERS` copies of a command at once, each on its own task.
async fn race<T, F, Fut>(command: F) -> Vec<Result<T, CommandError>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, CommandError>> + Send + 'static,
{
    let tasks: Vec<_> = (0..RACERS).map(|i| tokio::spawn(command(i))).collect();
    let mut results = Vec::new();
    for task in futures::future::join_all(tasks).await {
        results.push(task.expect("racer finished"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signup_stores_no_raw_email_name_or_password_in_postgres() {
    let db = TestDatabase::create("signup_sealed").await;
    let commands = postgres(&db).await;
    let ctx = anonymous().with_idempotency_key("signup-1");
    commands.signup(&ctx, form("Ada.Lovelace@Example.com", "free")).await.unwrap();

    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' ', aggregate_type, aggregate_id, payload::text, metadata::text)
           FROM events
         UNION ALL SELECT outcome::text FROM command_log",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();

    assert_eq!(stored.len(), 4, "three events and one command outcome");
    for text in &stored {
        let lower = text.to_lowercase();
        assert!(!lower.contains("ada.lovelace"), "{text}");
        assert!(!text.contains("Ada Lovelace"), "{text}");
        assert!(!text.contains(PASSWORD), "{text}");
    }
    assert!(stored.iter().any(|t| t.contains("$sealed")), "personal data is sealed");
    // The store opens it again for whoever holds the key.
    let events = all_events_settled(&commands, 3).await;
    assert!(events[1].payload.to_string().contains("ada.lovelace@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn free_plan_never_exceeds_one_project_under_concurrency() {
    let db = TestDatabase::create("project_race").await;
    let commands = postgres(&db).await;
    let (tenant_id, owner) = tenant_with_owner(&*commands, "ada@example.com", "free").await;

    let results = race(|i| {
        let (commands, owner) = (Arc::clone(&commands), owner.clone());
        async move { commands.create_project(&owner, tenant_id, &format!("Project {i}")).await }
    })
    .await;

    let created = results.iter().filter(|r| r.is_ok()).count();
    let limited =
        results.iter().filter(|r| matches!(r, Err(CommandError::PlanLimit { resource: "projects", .. }))).count();
    assert_eq!((created, limited), (1, RACERS - 1), "{results:?}");
    assert_eq!(count_events(&db, "ProjectCreated").await, 1);
    assert_eq!(count_events(&db, "ProjectAdded").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn starter_plan_never_exceeds_three_users_under_concurrency() {
    let db = TestDatabase::create("member_race").await;
    let commands = postgres(&db).await;
    let (tenant_id, owner) = tenant_with_owner(&*commands, "ada@example.com", "starter").await;
    let mut people = Vec::new();
    for i in 0..RACERS {
        people.push(sign_up(&*commands, &format!("p{i}@example.com"), "free").await.user_id);
    }

    let results = race(|i| {
        let (commands, owner, user) = (Arc::clone(&commands), owner.clone(), people[i]);
        async move { commands.add_member(&owner, tenant_id, user, Role::Member).await }
    })
    .await;

    // The owner is the first of the three users the starter plan allows.
    let added = results.iter().filter(|r| r.is_ok()).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(CommandError::PlanLimit { resource: "users", limit: 3, .. })))
        .count();
    assert_eq!((added, limited), (2, RACERS - 2), "{results:?}");
    assert_eq!(count_events(&db, "MemberAdded").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_signups_with_one_email_let_exactly_one_through() {
    let db = TestDatabase::create("signup_race").await;
    let commands = postgres(&db).await;

    let results = race(|i| {
        let commands = Arc::clone(&commands);
        let mut input = form("ada@example.com", "free");
        input.tenant = format!("Tenant {i}");
        async move { commands.signup(&anonymous(), input).await }
    })
    .await;

    let signed_up = results.iter().filter(|r| r.is_ok()).count();
    let taken = results.iter().filter(|r| matches!(r, Err(CommandError::EmailTaken))).count();
    assert_eq!((signed_up, taken), (1, RACERS - 1), "{results:?}");
    assert_eq!(count_events(&db, "EmailClaimed").await, 1);
    assert_eq!(count_events(&db, "UserRegistered").await, 1);
    assert_eq!(count_events(&db, "TenantCreated").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_command_append_it_once() {
    let db = TestDatabase::create("retry_race").await;
    let commands = postgres(&db).await;
    let (tenant_id, owner) = tenant_with_owner(&*commands, "ada@example.com", "pro").await;
    let ctx = owner.with_idempotency_key("create-docs");

    let results = race(|_| {
        let (commands, ctx) = (Arc::clone(&commands), ctx.clone());
        async move { commands.create_project(&ctx, tenant_id, "Docs").await }
    })
    .await;

    let answers: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(count_events(&db, "ProjectCreated").await, 1);
}
