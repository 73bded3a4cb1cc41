//! Events going into the store and coming out of it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::metadata::EventMetadata;
use crate::position::Position;

/// One aggregate's stream: its type (such as `"tenant"`) and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamId {
    pub aggregate_type: String,
    pub aggregate_id: String,
}

impl StreamId {
    pub fn new(aggregate_type: impl Into<String>, aggregate_id: impl fmt::Display) -> Self {
        Self { aggregate_type: aggregate_type.into(), aggregate_id: aggregate_id.to_string() }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.aggregate_type, self.aggregate_id)
    }
}

/// The stream version an append expects to find: the optimistic-concurrency check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// No check; two racing appends still cannot both take the same sequence.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have this sequence.
    Exactly(u64),
}

impl ExpectedVersion {
    pub fn admits(self, actual: u64) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual == 0,
            Self::Exactly(v) => v == actual,
        }
    }
}

/// An event to append, in its logical form: personal data still as `$personal` nodes, which the
/// store seals before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
}

impl NewEvent {
    /// Serialises a domain event, taking its type and version from the event itself.
    pub fn from_domain<E: cqrs_es::DomainEvent>(event: &E) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: serde_json::to_value(event)?,
        })
    }
}

/// Events for one stream within an append. With no events it is a condition: the append
/// goes through only if that stream is still at `expected` (an aggregate the decision read but
/// does not change, such as the tenant whose plan a meter applies).
#[derive(Debug, Clone)]
pub struct StreamAppend {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// Makes a command idempotent: a retry with the same id returns the first outcome and appends
/// nothing. The fingerprint (a hash of the request) tells a retry from a different request that
/// reused the id by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub command_id: Uuid,
    pub fingerprint: [u8; 32],
}

/// One atomic append: all streams or none.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub streams: Vec<StreamAppend>,
    pub metadata: EventMetadata,
    pub idempotency: Option<Idempotency>,
    /// What the command answers (ids it created, ...), stored so a retry gets the same answer.
    pub result: Value,
}

/// What an append wrote, or, for a retried command, what its first run wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Committed {
    /// The last position written: wait for a projector to reach it to read your own writes.
    pub position: Position,
    /// The version of each stream after the append.
    pub versions: Vec<(StreamId, u64)>,
    pub result: Value,
    /// True when this is the stored outcome of an earlier run of the same command.
    #[serde(skip)]
    pub replayed: bool,
}

/// An event as stored: payload unsealed (or marked erased) and upcast to its current version.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub position: Position,
    pub stream: StreamId,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: EventMetadata,
}

impl RecordedEvent {
    /// Deserialises the payload into a domain event.
    pub fn decode<E: serde::de::DeserializeOwned>(&self) -> Result<E, serde_json::Error> {
        // Deserialising from a borrowed Value avoids cloning the whole tree per event.
        E::deserialize(&self.payload)
    }
}
