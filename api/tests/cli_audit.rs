//! `ctxi audit verify` against a real database, as an operator runs it.

use std::process::Command;

use eventstore::testing::TestDatabase;
use eventstore::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, StreamAppend, StreamId};
use serde_json::json;
use time::OffsetDateTime;

async fn database_with_events(n: u64) -> (TestDatabase, Vec<i64>) {
    let db = TestDatabase::create("cli_audit").await;
    let store = db.store().await;
    let mut positions = Vec::new();
    for i in 0..n {
        let request = AppendRequest {
            streams: vec![StreamAppend {
                stream: StreamId::new("counter", i % 3),
                expected: ExpectedVersion::Any,
                events: vec![NewEvent {
                    event_type: "Counted".into(),
                    event_version: "1".into(),
                    payload: json!({"n": i}),
                }],
            }],
            metadata: EventMetadata::system("test", None, OffsetDateTime::now_utc()),
            idempotency: None,
            result: json!(null),
        };
        positions.push(store.append(request).await.unwrap().position.raw());
    }
    (db, positions)
}

fn ctxi(db: &TestDatabase, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctxi")).args(args).env("DATABASE_URL", db.url()).output().expect("run ctxi")
}

#[tokio::test]
async fn verify_succeeds_on_an_intact_log() {
    let (db, _) = database_with_events(12).await;
    let out = ctxi(&db, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verified 12 events") && stdout.contains("intact"), "{stdout}");
}

#[tokio::test]
async fn verify_names_the_first_broken_position_and_exits_3() {
    let (db, positions) = database_with_events(12).await;
    let victim = positions[7];
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE events SET payload = '{\"n\": 1000}' WHERE position = $1")
        .bind(victim)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let out = ctxi(&db, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains(&format!("broken at position {victim}")), "{stdout}");
    assert!(stdout.contains("7 events before it verified"), "{stdout}");

    let before = ctxi(&db, &["audit", "verify", "--to", &positions[6].to_string()]);
    assert!(before.status.success(), "a range before the edit still verifies");
}

#[tokio::test]
async fn an_invalid_database_url_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ctxi"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", "postgres://host:notaport/db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid PostgreSQL URL"));
}

#[tokio::test]
async fn a_bad_position_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ctxi")).args(["audit", "verify", "--from", "abc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
}
