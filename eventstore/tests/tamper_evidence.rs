//! The hash chain detects edits made behind the store's back.

mod support;

use domain::SubjectId;
use eventstore::postgres::verify::verify_chain;
use eventstore::testing::TestDatabase;
use eventstore::{EventStore, ExpectedVersion, Position};
use support::*;

async fn populated() -> (TestDatabase, Vec<Position>) {
    let db = TestDatabase::create("tamper").await;
    let store = db.store().await;
    let mut positions = Vec::new();
    for i in 0..30 {
        let s = stream(&format!("s{}", i % 4));
        let ev = if i % 3 == 0 { personal_event(&format!("user:{i}"), "a@example.com") } else { event(i) };
        positions.push(store.append(request(s, ExpectedVersion::Any, vec![ev])).await.unwrap().position);
    }
    (db, positions)
}

/// Rewrites a row as a superuser would, bypassing the append-only trigger.
async fn tamper(db: &TestDatabase, sql: &str, position: Position) {
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    let changed = sqlx::query(sql).bind(position.raw()).execute(&mut *tx).await.unwrap();
    assert_eq!(changed.rows_affected(), 1);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_untouched_log_verifies() {
    let (db, positions) = populated().await;
    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.checked, positions.len() as u64);
}

#[tokio::test]
async fn an_edited_payload_is_named_by_its_position() {
    let (db, positions) = populated().await;
    let victim = positions[17];
    tamper(&db, "UPDATE events SET payload = '{\"n\": 999}' WHERE position = $1", victim).await;
    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    let broken = report.first_break.expect("the edit is detected");
    assert_eq!(broken.position, victim);
    assert!(broken.reason.contains("stored hash"), "{}", broken.reason);
}

#[tokio::test]
async fn an_edit_that_recomputes_its_own_hash_breaks_the_next_link() {
    let (db, positions) = populated().await;
    // s1 holds the events i = 1, 5, 9, ...: edit i = 5 and give it a fresh, self-consistent hash.
    let victim = positions[5];
    tamper(&db, "UPDATE events SET metadata = '{}', hash = sha256(hash) WHERE position = $1", victim).await;
    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    assert_eq!(report.first_break.expect("detected").position, victim);
    let from_next = verify_chain(&db.pool, Some(positions[9]), None, |_| {}).await.unwrap();
    let broken = from_next.first_break.expect("the successor no longer links");
    assert_eq!(broken.position, positions[9]);
    assert!(broken.reason.contains("predecessor"), "{}", broken.reason);
}

#[tokio::test]
async fn a_deleted_event_is_detected_at_its_successor() {
    let (db, positions) = populated().await;
    tamper(&db, "DELETE FROM events WHERE position = $1", positions[6]).await;
    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    let broken = report.first_break.expect("detected");
    assert_eq!(broken.position, positions[10], "the next event of the same stream");
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

#[tokio::test]
async fn shredding_keys_leaves_the_chain_valid() {
    let (db, positions) = populated().await;
    let store = db.store().await;
    for i in (0..30).step_by(3) {
        assert!(store.shred(&SubjectId::from_stored(format!("user:{i}"))).await.unwrap());
    }
    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    assert_eq!((report.checked, report.first_break), (positions.len() as u64, None));
}

#[tokio::test]
async fn ranges_verify_only_their_part() {
    let (db, positions) = populated().await;
    tamper(&db, "UPDATE events SET payload = '{\"n\": 0}' WHERE position = $1", positions[2]).await;
    let later = verify_chain(&db.pool, Some(positions[3]), Some(positions[20]), |_| {}).await.unwrap();
    assert_eq!((later.checked, later.first_break), (18, None));
}
