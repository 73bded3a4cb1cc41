//! The events table is the audit trail: it can only grow.

mod support;

use eventstore::testing::TestDatabase;
use eventstore::{EventStore, ExpectedVersion};
use support::*;

async fn database_with_an_event() -> TestDatabase {
    let db = TestDatabase::create("append_only").await;
    db.store().await.append(request(stream("x"), ExpectedVersion::Any, vec![event(1)])).await.unwrap();
    db
}

#[tokio::test]
async fn even_the_owner_cannot_update_delete_or_truncate_events() {
    let db = database_with_an_event().await;
    for statement in ["UPDATE events SET payload = '{\"n\": 2}'", "DELETE FROM events", "TRUNCATE events"] {
        let err = sqlx::query(statement).execute(&db.pool).await.expect_err(statement);
        assert!(err.to_string().contains("append-only"), "{statement}: {err}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn the_application_role_has_no_privilege_to_rewrite_events() {
    let db = database_with_an_event().await;
    let app = db.app_pool(1).await;
    let role: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&app).await.unwrap();
    assert_eq!(role, "ctxi_app");
    for statement in ["UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events"] {
        let err = sqlx::query(statement).execute(&app).await.expect_err(statement);
        assert!(err.to_string().contains("permission denied"), "{statement}: {err}");
    }
    // Disabling the trigger needs ownership, which the application role does not have either.
    let err =
        sqlx::query("ALTER TABLE events DISABLE TRIGGER events_no_update_delete").execute(&app).await.unwrap_err();
    assert!(err.to_string().contains("must be owner"), "{err}");
    // It can still append and read: the store works under it.
    let store = db.store().await;
    store.append(request(stream("y"), ExpectedVersion::Any, vec![event(2)])).await.unwrap();
}

#[tokio::test]
async fn only_the_key_table_lets_the_application_delete_rows() {
    let db = database_with_an_event().await;
    let app = db.app_pool(1).await;
    sqlx::query("DELETE FROM subject_keys WHERE subject = 'nobody'").execute(&app).await.unwrap();
    let err = sqlx::query("DELETE FROM command_log").execute(&app).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}
