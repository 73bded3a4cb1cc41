//! Several processes appending to one stream: what one process remembers about a stream's head
//! never lets it overwrite or fork another process's events.

mod support;

use eventstore::postgres::verify::verify_chain;
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{AppendError, EventStore, ExpectedVersion, PostgresStore, StreamAppend};
use support::*;

#[tokio::test]
async fn a_remembered_head_that_moved_on_is_a_conflict_not_a_fork() {
    let db = TestDatabase::create("remembered_head").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let first = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let second = PostgresStore::new(db.app_pool(2).await, kek);
    let s = stream("shared");
    first.append(request(s.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    second.append(request(s.clone(), ExpectedVersion::Exactly(1), vec![event(2)])).await.unwrap();

    // `first` last saw version 1 and still expects it.
    let err = first.append(request(s.clone(), ExpectedVersion::Exactly(1), vec![event(3)])).await.unwrap_err();
    assert!(matches!(err, AppendError::Conflict { actual: 2, .. }), "{err:?}");
    // Having read the stream, it appends after the other's event.
    assert_eq!(first.read_stream(&s).await.unwrap().len(), 2);
    first.append(request(s.clone(), ExpectedVersion::Exactly(2), vec![event(3)])).await.unwrap();

    let report = verify_chain(&db.pool, None, None, |_| {}).await.unwrap();
    assert_eq!((report.checked, report.first_break), (3, None));
}

/// A condition is checked against the log, not against the head this process remembers:
/// the remembered hash would let the append skip the lookup, and a condition appends nothing
/// that the unique key could refuse.
#[tokio::test]
async fn a_condition_on_a_stream_another_process_moved_is_a_conflict() {
    let db = TestDatabase::create("moved_condition").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let first = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let second = PostgresStore::new(db.app_pool(2).await, kek);
    let read = stream("read");
    first.append(request(read.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    assert_eq!(first.read_stream(&read).await.unwrap().len(), 1, "`first` remembers the head at version 1");
    second.append(request(read.clone(), ExpectedVersion::Exactly(1), vec![event(2)])).await.unwrap();

    let mut req = request(stream("written"), ExpectedVersion::NoStream, vec![event(1)]);
    req.streams.push(StreamAppend { stream: read, expected: ExpectedVersion::Exactly(1), events: vec![] });
    let err = first.append(req).await.unwrap_err();
    assert!(matches!(err, AppendError::Conflict { actual: 2, .. }), "{err:?}");
    assert!(first.read_stream(&stream("written")).await.unwrap().is_empty());
}

#[tokio::test]
async fn no_stream_appends_from_two_processes_conflict() {
    let db = TestDatabase::create("two_creators").await;
    let (kek, _) = KeyEncryptionKey::generate();
    let first = PostgresStore::new(db.app_pool(2).await, kek.clone());
    let second = PostgresStore::new(db.app_pool(2).await, kek);
    first.append(request(stream("new"), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    let err = second.append(request(stream("new"), ExpectedVersion::NoStream, vec![event(2)])).await.unwrap_err();
    assert!(matches!(err, AppendError::Conflict { actual: 1, .. }), "{err:?}");
}
