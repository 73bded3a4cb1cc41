//! Personal data never reaches the table in clear, and upcasters lift old versions on read.

mod support;

use std::sync::Arc;

use cqrs_es::persist::SemanticVersionEventUpcaster;
use eventstore::sealing::{KeyEncryptionKey, SealingError};
use eventstore::testing::TestDatabase;
use eventstore::{AppendError, EventStore, ExpectedVersion, NewEvent, PostgresStore, Upcasters};
use serde_json::json;
use support::*;

#[tokio::test]
async fn personal_fields_are_stored_encrypted() {
    let db = TestDatabase::create("sealed").await;
    let store = db.store().await;
    store
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "grace@example.com")]))
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT payload::text FROM events").fetch_one(&db.pool).await.unwrap();
    assert!(!stored.contains("grace@example.com"), "{stored}");
    assert!(stored.contains("$sealed") && stored.contains("\"plan\":\"free\""), "{stored}");
    let wrapped: Vec<u8> = sqlx::query_scalar("SELECT wrapped_key FROM subject_keys WHERE subject = 'user:1'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(wrapped.len() > 32, "the data key is stored wrapped, never bare");
}

#[tokio::test]
async fn a_different_key_encryption_key_cannot_read_the_data() {
    let db = TestDatabase::create("wrong_kek").await;
    let store = db.store().await;
    store
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "x@example.com")]))
        .await
        .unwrap();
    let other = PostgresStore::new(db.app_pool(2).await, KeyEncryptionKey::generate().0);
    let err = other.read_stream(&stream("u")).await.unwrap_err();
    assert!(err.to_string().contains("does not unwrap"), "{err}");
}

#[tokio::test]
async fn a_v1_payload_reads_back_as_v2() {
    let db = TestDatabase::create("upcast").await;
    let store = db.store().await;
    // Version 1 of this event had a single "name"; version 2 splits it.
    let v1 = NewEvent {
        event_type: "PersonNamed".into(),
        event_version: "1".into(),
        payload: json!({"name": "Ada Lovelace"}),
    };
    store.append(request(stream("p"), ExpectedVersion::Any, vec![v1])).await.unwrap();
    let split = SemanticVersionEventUpcaster::new(
        "PersonNamed",
        "2",
        Box::new(|mut payload| {
            let name = payload["name"].as_str().unwrap_or_default().to_owned();
            let (given, family) = name.split_once(' ').unwrap_or((&name, ""));
            payload = json!({"given": given, "family": family});
            payload
        }),
    );
    let upcasting = db.store().await.with_upcasters(Upcasters::new(vec![Arc::new(split)]));
    let read = upcasting.read_stream(&stream("p")).await.unwrap();
    // cqrs-es versions are semantic: "2" is written back as "2.0.0".
    assert_eq!(read[0].event_version, "2.0.0");
    assert_eq!(read[0].payload, json!({"given": "Ada", "family": "Lovelace"}));
    let raw: String = sqlx::query_scalar("SELECT payload::text FROM events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(raw, r#"{"name":"Ada Lovelace"}"#, "the stored event is never rewritten");
}

#[tokio::test]
async fn a_second_process_seals_with_the_subjects_existing_key() {
    let db = TestDatabase::create("two_processes").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let first = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let second = PostgresStore::new(db.app_pool(2).await, kek);
    first
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "one@example.com")]))
        .await
        .unwrap();
    second
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "two@example.com")]))
        .await
        .unwrap();
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys").fetch_one(&db.pool).await.unwrap();
    assert_eq!(keys, 1, "one data key per subject");
    let emails: Vec<_> = first
        .read_stream(&stream("u"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.payload["UserRegistered"]["email"]["$personal"]["value"].clone())
        .collect();
    assert_eq!(emails, vec![json!("one@example.com"), json!("two@example.com")]);
}

#[tokio::test]
async fn a_shredded_subject_never_gets_a_key_again() {
    let db = TestDatabase::create("no_resurrection").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let writer = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let eraser = PostgresStore::new(db.app_pool(2).await, kek);
    writer
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "old@example.com")]))
        .await
        .unwrap();
    // Another process erases the subject while the writer still caches its key: the writer's
    // key is refused, and so is the fresh key it then offers (a decision taken before the
    // erasure must not seal new data under the erased subject).
    assert!(eraser.shred(&domain::SubjectId::from_stored("user:1")).await.unwrap());
    for store in [&writer, &eraser] {
        let late = store
            .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "new@example.com")]))
            .await;
        assert!(
            matches!(&late, Err(AppendError::Sealing(SealingError::SubjectErased(s))) if s == "user:1"),
            "{late:?}"
        );
    }
    let read = writer.read_stream(&stream("u")).await.unwrap();
    assert_eq!(read.len(), 1, "nothing was appended after the erasure");
    assert_eq!(read[0].payload["UserRegistered"]["email"]["$personal"]["erased"], json!(true), "old data stays erased");
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys").fetch_one(&db.pool).await.unwrap();
    assert_eq!(keys, 0, "no key came back");
}

#[tokio::test]
async fn subjects_shredded_before_the_record_existed_are_recorded_by_the_migration() {
    let db = TestDatabase::create("shred_backfill").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let store = PostgresStore::new(db.app_pool(2).await, kek);
    for (subject, email) in [("user:kept", "kept@example.com"), ("user:gone", "gone@example.com")] {
        store
            .append(request(stream(subject), ExpectedVersion::Any, vec![personal_event(subject, email)]))
            .await
            .unwrap();
    }
    // As a shred did before migration 0003: the key deleted, nothing recorded.
    let owner = &db.pool;
    sqlx::query("DELETE FROM subject_keys WHERE subject = 'user:gone'").execute(owner).await.unwrap();
    sqlx::query("DELETE FROM shredded_subjects").execute(owner).await.unwrap();
    let backfill = include_str!("../migrations/0003_shredded_subjects.sql");
    let insert = &backfill[backfill.find("INSERT INTO shredded_subjects").expect("the backfill")..];
    sqlx::raw_sql(insert).execute(owner).await.unwrap();
    let recorded: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM shredded_subjects").fetch_all(owner).await.unwrap();
    assert_eq!(recorded, vec!["user:gone".to_owned()]);
}
