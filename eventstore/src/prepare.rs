//! Turning an append request into rows: checks, sealing, positions and hashes. Shared by both
//! backends so that they behave the same.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::error::AppendError;
use crate::event::{AppendRequest, Committed, StreamId};
use crate::hash::{Hash, HashedFields, GENESIS};
use crate::position::{Position, MAX_EVENTS_PER_APPEND};
use crate::sealing::{self, DataKey};

/// The last event of a stream, as far as an append needs it.
#[derive(Debug, Clone, Copy)]
pub struct StreamHead {
    pub version: u64,
    pub hash: Hash,
}

impl StreamHead {
    pub const EMPTY: StreamHead = StreamHead { version: 0, hash: GENESIS };
}

/// An event ready to be inserted exactly as it will be stored and hashed.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub position: i64,
    pub stream: StreamId,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl StoredEvent {
    pub fn hashed_fields(&self) -> HashedFields<'_> {
        HashedFields {
            prev_hash: &self.prev_hash,
            position: self.position,
            aggregate_type: &self.stream.aggregate_type,
            aggregate_id: &self.stream.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            metadata: &self.metadata,
            payload: &self.payload,
        }
    }
}

/// Rejects requests that no store state could accept.
pub fn validate(request: &AppendRequest) -> Result<(), AppendError> {
    let count: usize = request.streams.iter().map(|s| s.events.len()).sum();
    if count == 0 {
        return Err(AppendError::Empty);
    }
    if count > MAX_EVENTS_PER_APPEND {
        return Err(AppendError::TooManyEvents { count, max: MAX_EVENTS_PER_APPEND });
    }
    let mut seen = HashSet::new();
    for s in &request.streams {
        if !seen.insert(&s.stream) {
            return Err(AppendError::DuplicateStream(s.stream.clone()));
        }
    }
    Ok(())
}

/// Subjects whose data keys the request needs.
pub fn subjects(request: &AppendRequest) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for event in request.streams.iter().flat_map(|s| &s.events) {
        sealing::personal_subjects(&event.payload, &mut out);
    }
    out
}

/// The sealed payload text of every event of the request, in order.
pub fn seal_payloads(request: &AppendRequest, keys: &HashMap<String, DataKey>) -> Result<Vec<String>, AppendError> {
    let events = request.streams.iter().flat_map(|s| &s.events);
    events
        .map(|event| {
            let mut payload: Value = event.payload.clone();
            sealing::seal(&mut payload, keys)?;
            Ok(serde_json::to_string(&payload)?)
        })
        .collect()
}

/// Checks expected versions against `heads`, seals, numbers and hashes the events of a
/// transaction `xid`. (The PostgreSQL backend does the same in `ctxi_append`, in the database.)
pub fn prepare(
    request: &AppendRequest,
    heads: &HashMap<StreamId, StreamHead>,
    keys: &HashMap<String, DataKey>,
    xid: i64,
) -> Result<(Vec<StoredEvent>, Committed), AppendError> {
    let metadata = serde_json::to_string(&request.metadata)?;
    let mut payloads = seal_payloads(request, keys)?.into_iter();
    let mut rows = Vec::new();
    let mut versions = Vec::new();
    for append in &request.streams {
        let head = heads.get(&append.stream).copied().unwrap_or(StreamHead::EMPTY);
        if !append.expected.admits(head.version) {
            return Err(AppendError::Conflict {
                stream: append.stream.clone(),
                expected: append.expected,
                actual: head.version,
            });
        }
        let mut prev = head;
        for event in &append.events {
            let mut row = StoredEvent {
                position: Position::new(xid, rows.len()).raw(),
                stream: append.stream.clone(),
                sequence: to_i64(prev.version + 1),
                event_type: event.event_type.clone(),
                event_version: event.event_version.clone(),
                payload: payloads.next().unwrap_or_default(),
                metadata: metadata.clone(),
                prev_hash: prev.hash,
                hash: GENESIS,
            };
            row.hash = row.hashed_fields().hash();
            prev = StreamHead { version: prev.version + 1, hash: row.hash };
            rows.push(row);
        }
        versions.push((append.stream.clone(), prev.version));
    }
    let position = Position::from_raw(rows.last().map_or(0, |r| r.position));
    let committed = Committed { position, versions, result: request.result.clone(), replayed: false };
    Ok((rows, committed))
}

pub fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
