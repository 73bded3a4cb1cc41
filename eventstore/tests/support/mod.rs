#![allow(dead_code)]

use eventstore::{AppendRequest, EventMetadata, ExpectedVersion, Idempotency, NewEvent, StreamAppend, StreamId};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

pub fn metadata() -> EventMetadata {
    EventMetadata::system("test", Some(Uuid::nil()), OffsetDateTime::now_utc())
}

pub fn event(n: u64) -> NewEvent {
    NewEvent { event_type: "Counted".into(), event_version: "1".into(), payload: json!({"n": n}) }
}

pub fn personal_event(subject: &str, email: &str) -> NewEvent {
    NewEvent {
        event_type: "UserRegistered".into(),
        event_version: "1".into(),
        payload: json!({"UserRegistered": {
            "email": {"$personal": {"subject": subject, "value": email}},
            "plan": "free"
        }}),
    }
}

pub fn stream(id: &str) -> StreamId {
    StreamId::new("counter", id)
}

pub fn request(stream: StreamId, expected: ExpectedVersion, events: Vec<NewEvent>) -> AppendRequest {
    AppendRequest {
        streams: vec![StreamAppend { stream, expected, events }],
        metadata: metadata(),
        idempotency: None,
        result: Value::Null,
    }
}

pub fn idempotent(mut req: AppendRequest, command_id: Uuid, fingerprint: u8, result: Value) -> AppendRequest {
    req.idempotency = Some(Idempotency { command_id, fingerprint: [fingerprint; 32] });
    req.result = result;
    req
}

/// Reads the global order until `count` events are visible. Readers stop below the oldest
/// transaction still open anywhere on the server, and tests run in parallel, so a just-committed
/// event may take a moment to become readable.
pub async fn read_all_settled(store: &dyn eventstore::EventStore, count: usize) -> Vec<eventstore::RecordedEvent> {
    for _ in 0..500 {
        let events = store.read_all(eventstore::Position::START, 10_000).await.unwrap();
        if events.len() >= count {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("fewer than {count} events became readable");
}
