//! Personal data never reaches the table in clear, and upcasters lift old versions on read.

mod support;

use std::sync::Arc;

use cqrs_es::persist::SemanticVersionEventUpcaster;
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{EventStore, ExpectedVersion, NewEvent, PostgresStore, Upcasters};
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
async fn a_cached_key_never_brings_shredded_data_back() {
    let db = TestDatabase::create("no_resurrection").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let writer = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let eraser = PostgresStore::new(db.app_pool(2).await, kek);
    writer
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "old@example.com")]))
        .await
        .unwrap();
    // Another process erases the subject while the writer still caches its key.
    assert!(eraser.shred(&domain::SubjectId::from_stored("user:1")).await.unwrap());
    writer
        .append(request(stream("u"), ExpectedVersion::Any, vec![personal_event("user:1", "new@example.com")]))
        .await
        .unwrap();
    let read = writer.read_stream(&stream("u")).await.unwrap();
    assert_eq!(read[0].payload["UserRegistered"]["email"]["$personal"]["erased"], json!(true), "old data stays erased");
    assert_eq!(read[1].payload["UserRegistered"]["email"]["$personal"]["value"], json!("new@example.com"));
}
