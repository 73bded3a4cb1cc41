//! The newest events, read from the log once for every follower of this process.
//!
//! Caught-up followers all want the same events at the same moment: an append wakes every one
//! of them. Reading the log once per append and follower cost PostgreSQL more than the
//! retrievals that appended (every metered retrieval appends). The tail keeps a window of the
//! latest events read; a follower whose position lies inside it is served from memory, and
//! only the first follower to reach the window's end reads further, while the others wait for
//! its answer. A follower behind the window (catching up, rebuilt) reads the log directly.

use std::collections::VecDeque;

use eventstore::{EventStore, Position, PostgresStore, RecordedEvent, StoreError};
use tokio::sync::Mutex;

/// Most events the window keeps. Caught-up followers are within a few batches of each other;
/// one further behind reads the log itself. The window holds unsealed payloads, so it stays small.
const WINDOW: usize = 1_024;
/// Most payload bytes (roughly) the window keeps: a document's upload carries its text, up to
/// 10 MiB, and a thousand of them must not stay in memory for the followers' sake.
const WINDOW_BYTES: usize = 32 * 1024 * 1024;

/// What a follower knows when it asks (see [`crate::signals::Wake`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Told {
    /// The newest position announced to it: every event up to it is committed or about to be.
    pub(crate) announced: Position,
    /// Woken by its poll interval rather than an announcement: events nobody announced (a lost
    /// notification) are only found by reading the log.
    pub(crate) polled: bool,
}

/// The log as the followers of one process read it.
#[derive(Debug)]
pub(crate) struct Tail {
    store: PostgresStore,
    window: Mutex<Window>,
}

/// Every event readers could see in `(after, end]`, in order.
#[derive(Debug, Default)]
struct Window {
    after: Option<Position>,
    events: VecDeque<RecordedEvent>,
    /// [`payload_bytes`] of each event in `events`, and their sum.
    sizes: VecDeque<usize>,
    bytes: usize,
}

impl Window {
    fn end(&self) -> Option<Position> {
        self.events.back().map(|e| e.position).or(self.after)
    }

    /// Whether the window holds every event after `position` up to its end.
    fn covers(&self, position: Position) -> bool {
        matches!((self.after, self.end()), (Some(after), Some(end)) if after <= position && position <= end)
    }

    /// Up to `limit` events after `position`, which the window covers.
    fn after(&self, position: Position, limit: usize) -> Vec<RecordedEvent> {
        let start = self.events.partition_point(|e| e.position <= position);
        self.events.range(start..).take(limit).cloned().collect()
    }

    /// Adds what a read found after `position` (which the window covers), forgetting the
    /// oldest events beyond `WINDOW` or `WINDOW_BYTES`.
    fn merge(&mut self, position: Position, events: &[RecordedEvent]) {
        let end = self.end().unwrap_or(position);
        for event in events.iter().filter(|e| e.position > end) {
            let size = payload_bytes(&event.payload);
            self.events.push_back(event.clone());
            self.sizes.push_back(size);
            self.bytes += size;
        }
        while self.events.len() > WINDOW || self.bytes > WINDOW_BYTES {
            let (Some(dropped), Some(size)) = (self.events.pop_front(), self.sizes.pop_front()) else {
                break;
            };
            self.after = Some(dropped.position);
            self.bytes -= size;
        }
    }

    /// Starts over with what a read found after `position`.
    fn restart(&mut self, position: Position, events: &[RecordedEvent]) {
        *self = Window { after: Some(position), ..Window::default() };
        self.merge(position, events);
    }
}

/// Roughly the memory `value` holds: its strings and a word per node.
fn payload_bytes(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    8 + match value {
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().map(payload_bytes).sum(),
        Value::Object(fields) => fields.iter().map(|(key, v)| key.len() + payload_bytes(v)).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

impl Tail {
    pub(crate) fn new(store: PostgresStore) -> Self {
        Self { store, window: Mutex::new(Window::default()) }
    }

    /// Up to `limit` events after `position` in global order, as [`EventStore::read_all`]
    /// returns them, at least up to what the follower was `told` of when no transaction holds
    /// it back.
    pub(crate) async fn read(
        &self,
        position: Position,
        limit: usize,
        told: Told,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut window = self.window.lock().await;
        if window.covers(position) {
            let mut events = window.after(position, limit);
            let end = events.last().map_or(position, |e| e.position);
            if events.len() < limit && (told.polled || end < told.announced) {
                // Read on from the window's end, holding the lock, so that the followers
                // arriving meanwhile take these events from the window rather than read them too.
                let fresh = self.store.read_all(end, limit - events.len()).await?;
                window.merge(end, &fresh);
                events.extend(fresh);
            }
            return Ok(events);
        }
        drop(window);
        let events = self.store.read_all(position, limit).await?;
        if events.len() < limit {
            // A short read reached the head as it was: the window follows this follower.
            let mut window = self.window.lock().await;
            if window.covers(position) {
                window.merge(position, &events);
            } else {
                window.restart(position, &events);
            }
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use eventstore::sealing::KeyEncryptionKey;
    use eventstore::testing::TestDatabase;
    use eventstore::{EventMetadata, EventStore, Position, PostgresStore, RecordedEvent, StreamId};
    use serde_json::json;
    use time::macros::datetime;

    use super::{Tail, Told, Window, WINDOW, WINDOW_BYTES};
    use crate::testing::{tenants_request, EVENTS_PER_TENANT};

    async fn store(label: &str) -> (TestDatabase, PostgresStore) {
        let db = TestDatabase::create(label).await;
        let store = PostgresStore::new(db.app_pool(4).await, KeyEncryptionKey::from_bytes([7; 32]));
        (db, store)
    }

    /// Appends, then waits until readers see the append: other tests' transactions, open on
    /// the same server, hold every reader of the log back for a moment.
    async fn append_tenants(store: &PostgresStore, tenants: usize) -> Position {
        let position = store.append(tenants_request(tenants, datetime!(2024-05-01 10:00 UTC))).await.unwrap().position;
        let visible = async {
            while store.head().await.unwrap() < position {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), visible).await.expect("the append becomes visible");
        position
    }

    fn announced(position: Position) -> Told {
        Told { announced: position, polled: false }
    }

    #[tokio::test]
    async fn every_read_returns_what_the_log_returns_inside_the_window_or_behind_it() {
        let (_db, store) = store("tail_reads_like_the_log").await;
        let tenants = WINDOW / EVENTS_PER_TENANT + 10;
        let head = append_tenants(&store, tenants).await;
        let tail = Tail::new(store.clone());
        let log = store.read_all(Position::START, 10_000).await.unwrap();
        assert_eq!(log.len(), tenants * EVENTS_PER_TENANT);

        // A short read from the start makes the window; it keeps only the newest WINDOW events.
        assert_eq!(tail.read(Position::START, 10_000, announced(head)).await.unwrap(), log);
        let window_start = log[log.len() - WINDOW - 1].position;
        for (i, position) in
            [Position::START, log[10].position, window_start, log[log.len() - 7].position, head].into_iter().enumerate()
        {
            for limit in [1, 5, 100, 10_000] {
                let expected = store.read_all(position, limit).await.unwrap();
                let read = tail.read(position, limit, announced(head)).await.unwrap();
                assert_eq!(read, expected, "position #{i} ({position}), limit {limit}");
            }
        }
    }

    #[tokio::test]
    async fn the_window_answers_until_a_follower_was_told_of_more_or_polls() {
        let (_db, store) = store("tail_reads_on_when_told").await;
        let first = append_tenants(&store, 1).await;
        let tail = Tail::new(store.clone());
        assert_eq!(tail.read(Position::START, 100, announced(first)).await.unwrap().len(), EVENTS_PER_TENANT);

        let second = append_tenants(&store, 1).await;
        // Told of nothing beyond the window: it answers, without reading the log.
        assert_eq!(tail.read(first, 100, announced(first)).await.unwrap(), vec![]);
        // Told of the append: the tail reads on; the window then serves the rest.
        let fresh = tail.read(first, 100, announced(second)).await.unwrap();
        assert_eq!(fresh, store.read_all(first, 100).await.unwrap());
        assert_eq!(fresh.len(), EVENTS_PER_TENANT);
        assert_eq!(tail.read(first, 100, announced(second)).await.unwrap(), fresh);
        assert_eq!(tail.read(Position::START, 1_000, announced(second)).await.unwrap().len(), 2 * EVENTS_PER_TENANT);

        // An append nobody announced is found by a follower that polls.
        let third = append_tenants(&store, 1).await;
        assert_eq!(tail.read(second, 100, announced(second)).await.unwrap(), vec![]);
        let polled = tail.read(second, 100, Told { announced: second, polled: true }).await.unwrap();
        assert_eq!(polled.last().map(|e| e.position), Some(third));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn followers_asking_at_once_after_an_append_all_get_what_the_log_holds() {
        let (_db, store) = store("tail_concurrent_followers").await;
        let first = append_tenants(&store, 1).await;
        let tail = std::sync::Arc::new(Tail::new(store.clone()));
        tail.read(Position::START, 100, announced(first)).await.unwrap();

        let second = append_tenants(&store, 2).await;
        let followers: Vec<_> = (0..13)
            .map(|_| {
                let tail = tail.clone();
                tokio::spawn(async move { tail.read(first, 100, announced(second)).await.unwrap() })
            })
            .collect();
        let expected = store.read_all(first, 100).await.unwrap();
        assert_eq!(expected.len(), 2 * EVENTS_PER_TENANT);
        for follower in followers {
            assert_eq!(follower.await.unwrap(), expected);
        }
    }

    fn event(position: i64, text: String) -> RecordedEvent {
        RecordedEvent {
            position: Position::from_raw(position),
            stream: StreamId::new("document", position),
            sequence: 1,
            event_type: "DocumentUploaded".into(),
            event_version: "1.0".into(),
            payload: json!({ "content": text }),
            metadata: EventMetadata::system("test", None, datetime!(2024-05-01 10:00 UTC)),
        }
    }

    #[test]
    fn the_window_forgets_the_oldest_events_beyond_its_byte_budget() {
        let big = || "x".repeat(WINDOW_BYTES / 2);
        let mut window = Window::default();
        window.restart(Position::START, &[event(1, big()), event(2, big()), event(3, "small".into())]);
        assert!(window.bytes <= WINDOW_BYTES);
        assert!(!window.covers(Position::START), "the first document went: a follower there reads the log");
        assert!(window.covers(Position::from_raw(1)));
        let kept: Vec<i64> = window.after(Position::from_raw(1), 10).iter().map(|e| e.position.raw()).collect();
        assert_eq!(kept, vec![2, 3]);
    }
}
