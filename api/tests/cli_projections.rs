//! `ctxi projections rebuild --all` after a mixed, concurrent workload reproduces the live read
//! models row for row, while the live runner keeps running.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use commands::{CommandContext, CommandError, Commands, Secrets, SignupInput};
use domain::{Plan, Role};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{Actor, Position, PostgresStore};
use projections::Projections;
use sqlx::PgPool;
use time::OffsetDateTime;

const TENANTS: usize = 12;

fn ctxi(db: &TestDatabase, kek: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctxi"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("CTXI_KEK", kek)
        .output()
        .expect("run ctxi")
}

/// Every read-model table as sorted JSON rows.
async fn snapshot(pool: &PgPool) -> Vec<(String, Vec<String>)> {
    let mut tables = Vec::new();
    for projector in projections::all() {
        for table in projector.tables() {
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1"))
                .fetch_all(pool)
                .await
                .unwrap();
            tables.push((table.to_string(), rows));
        }
    }
    tables
}

fn user_ctx(user: uuid::Uuid) -> CommandContext {
    CommandContext::new(Actor::User(user), OffsetDateTime::now_utc())
}

/// Signups, projects (racing into plan limits), members, keys, revocations and plan changes,
/// many at once. Returns the last position written.
async fn mixed_workload(commands: Arc<Commands<PostgresStore>>) -> Position {
    let plans = ["free", "starter", "pro", "enterprise"];
    let signups = (0..TENANTS).map(|i| {
        let commands = commands.clone();
        tokio::spawn(async move {
            let system = CommandContext::new(Actor::System("signup".into()), OffsetDateTime::now_utc());
            let input = SignupInput {
                tenant: format!("Tenant {i}"),
                email: format!("owner{i}@example.com"),
                password: "correct horse battery staple".into(),
                plan: plans[i % 4].into(),
                name: Some(format!("Owner {i}")),
            };
            commands.signup(&system, input).await.unwrap()
        })
    });
    let signups: Vec<_> = futures::future::join_all(signups).await.into_iter().map(Result::unwrap).collect();
    let work = signups.iter().enumerate().map(|(i, s)| {
        let commands = commands.clone();
        let (tenant, owner) = (s.tenant_id, s.user_id);
        let colleague = signups[(i + 1) % TENANTS].user_id;
        tokio::spawn(async move {
            let ctx = user_ctx(owner.as_uuid());
            let mut last = Position::START;
            // Three projects at once: free tenants keep one, starter three.
            let names: Vec<String> = (0..3).map(|p| format!("Project {p}")).collect();
            let creates = names.iter().map(|name| commands.create_project(&ctx, tenant, name));
            for created in futures::future::join_all(creates).await {
                match created {
                    Ok(project) => {
                        last = last.max(project.position);
                        let key = commands.issue_api_key(&ctx, tenant, project.project_id, "ci").await.unwrap();
                        let spare = commands.issue_api_key(&ctx, tenant, project.project_id, "spare").await.unwrap();
                        last = last.max(key.position).max(spare.position);
                        last = last.max(
                            commands.revoke_api_key(&ctx, tenant, project.project_id, spare.key_id).await.unwrap(),
                        );
                    }
                    Err(CommandError::PlanLimit { .. }) => {}
                    Err(other) => panic!("create_project: {other:?}"),
                }
            }
            match commands.add_member(&ctx, tenant, colleague, Role::Member).await {
                Ok(position) => last = last.max(position),
                Err(CommandError::PlanLimit { .. }) => {}
                Err(other) => panic!("add_member: {other:?}"),
            }
            if i % 4 == 0 {
                let change = commands.change_plan(&ctx, tenant, Plan::Pro).await.unwrap();
                last = last.max(change.position);
            }
            last
        })
    });
    let mut last = signups.iter().map(|s| s.position).max().unwrap_or(Position::START);
    for position in futures::future::join_all(work).await {
        last = last.max(position.unwrap());
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rebuild_all_reproduces_the_live_read_models_row_for_row() {
    let db = TestDatabase::create("cli_rebuild").await;
    let (kek, kek_text) = KeyEncryptionKey::generate();
    let store = PostgresStore::new(db.app_pool(20).await, kek);
    let runner = Projections::new(store.clone(), projections::all());
    runner.setup().await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let live = tokio::spawn(async move {
        runner
            .run(async {
                stopped.await.ok();
            })
            .await
    });

    let commands = Arc::new(Commands::new(Arc::new(store.clone()), Secrets::new([9; 32])));
    let last = mixed_workload(commands).await;
    for name in projections::read_models::NAMES {
        projections::wait_for(store.pool(), name, last, Duration::from_secs(30)).await.unwrap();
    }
    let before = snapshot(&db.pool).await;
    let count = |table: &str| before.iter().find(|(t, _)| t == table).map_or(0, |(_, rows)| rows.len());
    assert_eq!(count("tenants"), TENANTS);
    assert!(count("projects") > TENANTS && count("api_keys") > TENANTS, "the workload reached every model");
    assert!(count("memberships") > TENANTS, "some members were added");

    let out = ctxi(&db, &kek_text, &["projections", "rebuild", "--all"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("rebuilt") && stdout.contains("events/s"), "{stdout}");

    assert_eq!(snapshot(&db.pool).await, before, "rebuilt read models differ from the live ones");

    let status = ctxi(&db, &kek_text, &["projections", "status"]);
    let table = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{table}");
    for name in projections::read_models::NAMES {
        let line = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} missing:\n{table}"));
        let lag: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&lag[2..], ["0", "0.0"], "{line}");
    }
    stop.send(()).ok();
    live.await.unwrap();
}

#[tokio::test]
async fn rebuilding_an_unknown_projector_names_the_known_ones() {
    let db = TestDatabase::create("cli_unknown").await;
    let (_, kek_text) = KeyEncryptionKey::generate();
    let out = ctxi(&db, &kek_text, &["projections", "rebuild", "invoices"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invoices") && stderr.contains("tenants"), "{stderr}");
}

#[tokio::test]
async fn migrate_creates_the_read_models_and_is_idempotent() {
    let db = TestDatabase::create("cli_migrate").await;
    for _ in 0..2 {
        let out = ctxi(&db, "", &["migrate"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let owner: String = sqlx::query_scalar("SELECT tableowner::text FROM pg_tables WHERE tablename = 'projects'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(owner, "ctxi_app", "the application role owns the read models it rebuilds");
}
