//! What every event records about how it came to be.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    User(Uuid),
    ApiKey(Uuid),
    /// A named part of the platform itself, such as `"signup"` or `"bench"`.
    System(String),
}

/// Metadata stored, and hashed, with every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    pub tenant_id: Option<Uuid>,
    pub actor: Actor,
    /// The command that appended the event; also its idempotency key.
    pub command_id: Uuid,
    /// Shared by everything done on behalf of one request.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// W3C trace context of the request, so an event links back to its trace.
    pub traceparent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

impl EventMetadata {
    /// Metadata for a command with no request around it (CLI, benches, tests).
    pub fn system(name: &str, tenant_id: Option<Uuid>, recorded_at: OffsetDateTime) -> Self {
        let command_id = Uuid::now_v7();
        Self {
            tenant_id,
            actor: Actor::System(name.to_owned()),
            command_id,
            correlation_id: command_id,
            causation_id: None,
            traceparent: None,
            recorded_at,
        }
    }
}
