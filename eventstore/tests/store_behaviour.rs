//! Behaviour both backends share, run against each: PostgreSQL (fresh database) and in-memory.

mod support;

use std::sync::Arc;

use domain::SubjectId;
use eventstore::testing::TestDatabase;
use eventstore::{AppendError, EventStore, ExpectedVersion, Idempotency, InMemoryStore, Position, StreamAppend};
use serde_json::json;
use support::*;
use uuid::Uuid;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::TestDatabase::create(stringify!($name)).await;
                    super::$name(std::sync::Arc::new(db.store().await)).await;
                }
            )*
        }
        mod memory_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(std::sync::Arc::new(super::InMemoryStore::new())).await;
                }
            )*
        }
    };
}

on_both_backends!(
    appends_and_reads_a_stream_in_order,
    read_last_gives_only_the_newest_event_of_a_stream,
    stale_expected_version_is_a_typed_conflict,
    no_stream_expectation_refuses_an_existing_stream,
    retried_command_returns_its_first_outcome_and_appends_nothing,
    concurrent_copies_of_a_command_append_once,
    reusing_an_idempotency_key_for_another_request_is_refused,
    multi_stream_append_is_all_or_nothing,
    a_stream_without_events_is_a_condition_on_its_version,
    personal_data_reads_back_and_shredding_erases_it_everywhere,
    metadata_is_stored_with_every_event,
    read_all_follows_global_order_in_batches,
    empty_and_oversized_appends_are_refused,
);

async fn appends_and_reads_a_stream_in_order(store: Arc<dyn EventStore>) {
    let s = stream("a");
    let first = store.append(request(s.clone(), ExpectedVersion::NoStream, vec![event(1), event(2)])).await.unwrap();
    let second = store.append(request(s.clone(), ExpectedVersion::Exactly(2), vec![event(3)])).await.unwrap();
    assert!(second.position > first.position);
    assert_eq!(second.versions, vec![(s.clone(), 3)]);
    let events = store.read_stream(&s).await.unwrap();
    let ns: Vec<_> = events.iter().map(|e| e.payload["n"].as_u64().unwrap()).collect();
    assert_eq!(ns, vec![1, 2, 3]);
    assert_eq!(events.iter().map(|e| e.sequence).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(events.windows(2).all(|w| w[0].position < w[1].position));
}

async fn read_last_gives_only_the_newest_event_of_a_stream(store: Arc<dyn EventStore>) {
    let s = stream("last");
    assert!(store.read_last(&s).await.unwrap().is_none(), "an empty stream has no last event");
    store.append(request(s.clone(), ExpectedVersion::NoStream, vec![event(1), event(2)])).await.unwrap();
    store.append(request(stream("other"), ExpectedVersion::NoStream, vec![event(9)])).await.unwrap();
    let last = store.read_last(&s).await.unwrap().expect("a last event");
    assert_eq!((last.sequence, last.payload["n"].as_u64()), (2, Some(2)));
}

async fn stale_expected_version_is_a_typed_conflict(store: Arc<dyn EventStore>) {
    let s = stream("b");
    store.append(request(s.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    store.append(request(s.clone(), ExpectedVersion::Exactly(1), vec![event(2)])).await.unwrap();
    let err = store.append(request(s.clone(), ExpectedVersion::Exactly(1), vec![event(3)])).await.unwrap_err();
    match err {
        AppendError::Conflict { stream, expected, actual } => {
            assert_eq!((stream, expected, actual), (s.clone(), ExpectedVersion::Exactly(1), 2));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.read_stream(&s).await.unwrap().len(), 2, "the conflicting append wrote nothing");
}

async fn no_stream_expectation_refuses_an_existing_stream(store: Arc<dyn EventStore>) {
    let s = stream("c");
    store.append(request(s.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    let err = store.append(request(s, ExpectedVersion::NoStream, vec![event(1)])).await.unwrap_err();
    assert!(matches!(err, AppendError::Conflict { actual: 1, .. }), "{err:?}");
}

async fn retried_command_returns_its_first_outcome_and_appends_nothing(store: Arc<dyn EventStore>) {
    let s = stream("d");
    let command = Uuid::new_v4();
    let req = || idempotent(request(s.clone(), ExpectedVersion::Any, vec![event(1)]), command, 7, json!({"id": 1}));
    let first = store.append(req()).await.unwrap();
    assert!(!first.replayed);
    let retry = store.append(req()).await.unwrap();
    assert!(retry.replayed);
    assert_eq!((retry.position, &retry.versions, &retry.result), (first.position, &first.versions, &first.result));
    assert_eq!(store.read_stream(&s).await.unwrap().len(), 1);
    let stored = store.replay(&Idempotency { command_id: command, fingerprint: [7; 32] }).await.unwrap();
    assert_eq!(stored.expect("outcome stored").position, first.position);
    let other = store.replay(&Idempotency { command_id: command, fingerprint: [8; 32] }).await;
    assert!(matches!(other, Err(AppendError::IdempotencyKeyReused(_))), "{other:?}");
}

async fn concurrent_copies_of_a_command_append_once(store: Arc<dyn EventStore>) {
    for round in 0..10 {
        let s = stream(&format!("e{round}"));
        let command = Uuid::new_v4();
        let copies = (0..4).map(|_| {
            let store = store.clone();
            let req =
                idempotent(request(s.clone(), ExpectedVersion::Any, vec![event(round)]), command, 1, json!(round));
            tokio::spawn(async move { store.append(req).await })
        });
        let outcomes: Vec<_> =
            futures::future::join_all(copies).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| !o.replayed).count(), 1, "exactly one copy appended");
        assert!(outcomes.iter().all(|o| o.position == outcomes[0].position));
        assert_eq!(store.read_stream(&s).await.unwrap().len(), 1);
    }
}

async fn reusing_an_idempotency_key_for_another_request_is_refused(store: Arc<dyn EventStore>) {
    let command = Uuid::new_v4();
    store
        .append(idempotent(request(stream("f"), ExpectedVersion::Any, vec![event(1)]), command, 1, json!(1)))
        .await
        .unwrap();
    let err = store
        .append(idempotent(request(stream("f"), ExpectedVersion::Any, vec![event(2)]), command, 2, json!(2)))
        .await
        .unwrap_err();
    assert!(matches!(err, AppendError::IdempotencyKeyReused(id) if id == command), "{err:?}");
}

async fn multi_stream_append_is_all_or_nothing(store: Arc<dyn EventStore>) {
    let (a, b) = (stream("g1"), stream("g2"));
    store.append(request(b.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    let mut req = request(a.clone(), ExpectedVersion::NoStream, vec![event(1)]);
    req.streams.push(StreamAppend { stream: b.clone(), expected: ExpectedVersion::NoStream, events: vec![event(2)] });
    match store.append(req).await {
        Err(AppendError::Conflict { stream, actual, .. }) => {
            assert_eq!((stream, actual), (b.clone(), 1), "names the stream")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(store.read_stream(&a).await.unwrap().is_empty(), "nothing written to the other stream");
    let mut req = request(a.clone(), ExpectedVersion::NoStream, vec![event(1)]);
    req.streams.push(StreamAppend { stream: b.clone(), expected: ExpectedVersion::Exactly(1), events: vec![event(2)] });
    let done = store.append(req).await.unwrap();
    assert_eq!(done.versions, vec![(a, 1), (b, 2)]);
}

async fn a_stream_without_events_is_a_condition_on_its_version(store: Arc<dyn EventStore>) {
    let (a, read) = (stream("cond-a"), stream("cond-read"));
    store.append(request(read.clone(), ExpectedVersion::NoStream, vec![event(1)])).await.unwrap();
    let on_condition = |expected| {
        let mut req = request(a.clone(), ExpectedVersion::Any, vec![event(7)]);
        req.streams.push(StreamAppend { stream: read.clone(), expected, events: vec![] });
        req
    };
    let done = store.append(on_condition(ExpectedVersion::Exactly(1))).await.unwrap();
    assert_eq!(done.versions, vec![(a.clone(), 1), (read.clone(), 1)], "the condition stream is unchanged");
    assert_eq!(store.read_stream(&read).await.unwrap().len(), 1, "a condition appends nothing");

    store.append(request(read.clone(), ExpectedVersion::Exactly(1), vec![event(2)])).await.unwrap();
    match store.append(on_condition(ExpectedVersion::Exactly(1))).await {
        Err(AppendError::Conflict { stream, actual, .. }) => assert_eq!((stream, actual), (read.clone(), 2)),
        other => panic!("a moved condition stream must conflict, got {other:?}"),
    }
    assert_eq!(store.read_stream(&a).await.unwrap().len(), 1, "the refused append wrote nothing");
}

async fn personal_data_reads_back_and_shredding_erases_it_everywhere(store: Arc<dyn EventStore>) {
    let s = stream("h");
    let subject = "user:h";
    store
        .append(request(s.clone(), ExpectedVersion::NoStream, vec![personal_event(subject, "ada@example.com")]))
        .await
        .unwrap();
    let read = store.read_stream(&s).await.unwrap();
    assert_eq!(read[0].payload["UserRegistered"]["email"]["$personal"]["value"], "ada@example.com");
    assert!(store.shred(&SubjectId::from_stored(subject)).await.unwrap());
    let erased = json!({"$personal": {"subject": subject, "erased": true}});
    assert_eq!(store.read_stream(&s).await.unwrap()[0].payload["UserRegistered"]["email"], erased);
    let all = read_all_settled(store.as_ref(), 1).await;
    let ours = all.iter().find(|e| e.stream == s).expect("in the global order");
    assert_eq!(ours.payload["UserRegistered"]["email"], erased);
    assert_eq!(ours.payload["UserRegistered"]["plan"], "free", "only personal fields are erased");
    assert!(!store.shred(&SubjectId::from_stored(subject)).await.unwrap(), "no key left to shred");
    let late =
        store.append(request(s.clone(), ExpectedVersion::Any, vec![personal_event(subject, "new@example.com")])).await;
    assert!(
        matches!(&late, Err(AppendError::Sealing(eventstore::sealing::SealingError::SubjectErased(e))) if e == subject),
        "an erased subject gets no new key: {late:?}"
    );
    assert_eq!(store.read_stream(&s).await.unwrap().len(), 1, "nothing appended");
}

async fn metadata_is_stored_with_every_event(store: Arc<dyn EventStore>) {
    let mut req = request(stream("i"), ExpectedVersion::Any, vec![event(1), event(2)]);
    req.metadata.actor = eventstore::Actor::ApiKey(Uuid::new_v4());
    req.metadata.causation_id = Some(Uuid::new_v4());
    req.metadata.traceparent = Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into());
    let expected = req.metadata.clone();
    store.append(req).await.unwrap();
    let events = store.read_stream(&stream("i")).await.unwrap();
    assert!(events.iter().all(|e| e.metadata == expected));
}

async fn read_all_follows_global_order_in_batches(store: Arc<dyn EventStore>) {
    for i in 0..25 {
        store.append(request(stream(&format!("j{}", i % 5)), ExpectedVersion::Any, vec![event(i)])).await.unwrap();
    }
    read_all_settled(store.as_ref(), 25).await;
    let mut seen = Vec::new();
    let mut after = Position::START;
    loop {
        let batch = store.read_all(after, 7).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.position;
        seen.extend(batch.into_iter().map(|e| e.payload["n"].as_u64().unwrap()));
    }
    assert_eq!(seen, (0..25).collect::<Vec<_>>());
}

async fn empty_and_oversized_appends_are_refused(store: Arc<dyn EventStore>) {
    assert!(matches!(store.append(request(stream("k"), ExpectedVersion::Any, vec![])).await, Err(AppendError::Empty)));
    let many = (0..70_000).map(event).collect();
    assert!(matches!(
        store.append(request(stream("k"), ExpectedVersion::Any, many)).await,
        Err(AppendError::TooManyEvents { count: 70_000, .. })
    ));
}
