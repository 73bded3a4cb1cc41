//! Upcasting old event versions on read, with cqrs-es's `EventUpcaster`.
//!
//! Events are never rewritten: a new shape is a new `event_version`, and an upcaster lifts the
//! stored older payload to it when it is read. Upcasters run on the unsealed payload.

use std::sync::Arc;

use cqrs_es::persist::{EventUpcaster, SerializedEvent};

use crate::event::RecordedEvent;

/// The upcasters a store applies, in order, to every event it reads.
#[derive(Clone, Default)]
pub struct Upcasters(Vec<Arc<dyn EventUpcaster>>);

impl std::fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Upcasters({})", self.0.len())
    }
}

impl Upcasters {
    pub fn new(upcasters: Vec<Arc<dyn EventUpcaster>>) -> Self {
        Self(upcasters)
    }

    pub fn apply(&self, event: RecordedEvent) -> RecordedEvent {
        if !self.0.iter().any(|u| u.can_upcast(&event.event_type, &event.event_version)) {
            return event;
        }
        let RecordedEvent { position, stream, sequence, event_type, event_version, payload, metadata } = event;
        let mut serialized = SerializedEvent {
            aggregate_id: stream.aggregate_id.clone(),
            sequence: usize::try_from(sequence).unwrap_or(usize::MAX),
            aggregate_type: stream.aggregate_type.clone(),
            event_type,
            event_version,
            payload,
            metadata: serde_json::Value::Object(serde_json::Map::new()),
        };
        for upcaster in &self.0 {
            if upcaster.can_upcast(&serialized.event_type, &serialized.event_version) {
                serialized = upcaster.upcast(serialized);
            }
        }
        RecordedEvent {
            position,
            stream,
            sequence,
            event_type: serialized.event_type,
            event_version: serialized.event_version,
            payload: serialized.payload,
            metadata,
        }
    }
}
