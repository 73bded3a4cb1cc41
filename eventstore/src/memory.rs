//! An in-memory backend with the same behaviour as PostgreSQL's (conflicts, idempotency,
//! sealing, hash chain, global order), for fast domain and command tests.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use domain::SubjectId;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppendError, StoreError};
use crate::event::{AppendRequest, Committed, Idempotency, RecordedEvent, StreamId};
use crate::position::Position;
use crate::prepare::{self, StoredEvent, StreamHead};
use crate::sealing::{self, DataKey};
use crate::store::EventStore;
use crate::upcast::Upcasters;

#[derive(Debug, Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
    upcasters: Upcasters,
}

#[derive(Debug, Default)]
struct State {
    events: Vec<StoredEvent>,
    heads: HashMap<StreamId, StreamHead>,
    commands: HashMap<Uuid, ([u8; 32], Committed)>,
    keys: HashMap<String, DataKey>,
    /// Subjects whose key was shredded: never given a key again.
    shredded: HashSet<String>,
    /// Stands in for PostgreSQL's transaction ids: one per append.
    next_xid: i64,
}

impl State {
    fn replay(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError> {
        let Some((fingerprint, first)) = self.commands.get(&idempotency.command_id) else { return Ok(None) };
        if *fingerprint != idempotency.fingerprint {
            return Err(AppendError::IdempotencyKeyReused(idempotency.command_id));
        }
        Ok(Some(Committed { replayed: true, ..first.clone() }))
    }
}

impl InMemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_upcasters(upcasters: Upcasters) -> Self {
        Self { state: Mutex::default(), upcasters }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves no half-written state behind: every mutation
        // below happens after all checks have passed.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn decode(&self, state: &State, stored: &StoredEvent) -> Result<RecordedEvent, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt { position: stored.position, reason: e.to_string() };
        let mut payload: Value = serde_json::from_str(&stored.payload).map_err(corrupt)?;
        let mut subjects = BTreeSet::new();
        sealing::sealed_subjects(&payload, &mut subjects);
        let keys: HashMap<String, DataKey> =
            subjects.into_iter().filter_map(|s| state.keys.get(&s).map(|k| (s, k.clone()))).collect();
        sealing::open(&mut payload, &keys)?;
        Ok(self.upcasters.apply(RecordedEvent {
            position: Position::from_raw(stored.position),
            stream: stored.stream.clone(),
            sequence: stored.sequence.unsigned_abs(),
            event_type: stored.event_type.clone(),
            event_version: stored.event_version.clone(),
            payload,
            metadata: serde_json::from_str(&stored.metadata).map_err(corrupt)?,
        }))
    }
}

#[async_trait]
impl EventStore for InMemoryStore {
    async fn append(&self, request: AppendRequest) -> Result<Committed, AppendError> {
        prepare::validate(&request)?;
        let mut state = self.lock();
        if let Some(idempotency) = &request.idempotency {
            if let Some(first) = state.replay(idempotency)? {
                return Ok(first);
            }
        }
        let mut keys = HashMap::new();
        for subject in prepare::subjects(&request) {
            if state.shredded.contains(&subject) {
                return Err(sealing::SealingError::SubjectErased(subject).into());
            }
            let key = state.keys.get(&subject).cloned().unwrap_or_else(DataKey::generate);
            keys.insert(subject, key);
        }
        let xid = state.next_xid + 1;
        let (rows, committed) = prepare::prepare(&request, &state.heads, &keys, xid)?;
        state.next_xid = xid;
        state.keys.extend(keys);
        for row in rows {
            state.heads.insert(row.stream.clone(), StreamHead { version: row.sequence.unsigned_abs(), hash: row.hash });
            state.events.push(row);
        }
        if let Some(idempotency) = &request.idempotency {
            state.commands.insert(idempotency.command_id, (idempotency.fingerprint, committed.clone()));
        }
        Ok(committed)
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<RecordedEvent>, StoreError> {
        let state = self.lock();
        state.events.iter().filter(|e| &e.stream == stream).map(|e| self.decode(&state, e)).collect()
    }

    async fn read_last(&self, stream: &StreamId) -> Result<Option<RecordedEvent>, StoreError> {
        let state = self.lock();
        state.events.iter().rev().find(|e| &e.stream == stream).map(|e| self.decode(&state, e)).transpose()
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let state = self.lock();
        let start = state.events.partition_point(|e| e.position <= after.raw());
        state.events[start..].iter().take(limit).map(|e| self.decode(&state, e)).collect()
    }

    async fn replay(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError> {
        self.lock().replay(idempotency)
    }

    async fn shred(&self, subject: &SubjectId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        state.shredded.insert(subject.as_str().to_owned());
        Ok(state.keys.remove(subject.as_str()).is_some())
    }
}
