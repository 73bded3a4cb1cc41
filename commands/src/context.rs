//! Everything a command carries besides its input: who asks, for which tenant, under which
//! trace, with which idempotency key, and when.

use domain::{TenantId, ValidationError};
use eventstore::{Actor, EventMetadata, Idempotency};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::fingerprint::fingerprint;
use crate::CommandError;

/// The namespace of command ids derived from idempotency keys (UUIDv5). Never change it: a
/// retry after the change would no longer find its first run.
const COMMAND_NAMESPACE: Uuid = Uuid::from_u128(0x6a0d_5d1e_2c4b_4f0e_9b7a_c7c1_0c3e_a5f1);
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// The circumstances of one command, gathered by the caller (an HTTP handler, the CLI).
#[derive(Debug, Clone)]
pub struct CommandContext {
    pub actor: Actor,
    /// The tenant the request is bound to, if any; `None` for signup.
    pub tenant_id: Option<TenantId>,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub traceparent: Option<String>,
    /// The client's `Idempotency-Key`: a retry with the same key and the same input gets the
    /// first answer and changes nothing.
    pub idempotency_key: Option<String>,
    /// When the command was accepted; stamped on its events.
    pub at: OffsetDateTime,
}

impl CommandContext {
    /// A context with a fresh correlation id and nothing else set.
    pub fn new(actor: Actor, at: OffsetDateTime) -> Self {
        Self {
            actor,
            tenant_id: None,
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            traceparent: None,
            idempotency_key: None,
            at,
        }
    }

    pub fn in_tenant(mut self, tenant_id: TenantId) -> Self {
        self.tenant_id = Some(tenant_id);
        self
    }

    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// With a key, the same id for every retry: UUIDv5 of the tenant (or `none`) and the key,
    /// so two tenants' keys never collide. Without one, a fresh UUIDv7 on every call.
    pub fn command_id(&self) -> Uuid {
        match &self.idempotency_key {
            Some(key) => {
                let tenant = self.tenant_id.map_or_else(|| "none".to_owned(), |t| t.to_string());
                Uuid::new_v5(&COMMAND_NAMESPACE, format!("{tenant}:{key}").as_bytes())
            }
            None => Uuid::now_v7(),
        }
    }

    /// The metadata stored with every event the command appends.
    pub fn metadata(&self, command_id: Uuid) -> EventMetadata {
        EventMetadata {
            tenant_id: self.tenant_id.map(|t| t.as_uuid()),
            actor: self.actor.clone(),
            command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            traceparent: self.traceparent.clone(),
            recorded_at: self.at,
        }
    }

    /// The idempotency record of the command, when the caller gave a key. The fingerprint
    /// covers the actor too: another person reusing the key is refused, not served the answer.
    /// `input` must hold no secret in clear (see [`crate::Commands::signup`]).
    pub fn idempotency(&self, command_id: Uuid, command: &str, input: &Value) -> Option<Idempotency> {
        self.idempotency_key.as_ref()?;
        let fingerprinted = json!({ "actor": self.actor, "input": input });
        Some(Idempotency { command_id, fingerprint: fingerprint(command, &fingerprinted) })
    }

    /// This context bound to `tenant_id`. A request already bound to another tenant cannot
    /// reach this one, and is told it does not exist.
    pub(crate) fn scoped(&self, tenant_id: TenantId) -> Result<Self, CommandError> {
        match self.tenant_id {
            Some(bound) if bound != tenant_id => Err(CommandError::NotFound("tenant")),
            _ => Ok(self.clone().in_tenant(tenant_id)),
        }
    }

    /// Fixes the command's id, metadata and idempotency record for all its attempts.
    pub(crate) fn prepare(&self, command: &str, input: &Value) -> Result<Prepared, CommandError> {
        if let Some(key) = &self.idempotency_key {
            check_idempotency_key(key)?;
        }
        let command_id = self.command_id();
        Ok(Prepared { metadata: self.metadata(command_id), idempotency: self.idempotency(command_id, command, input) })
    }
}

fn check_idempotency_key(key: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "idempotency_key";
    if key.trim().is_empty() {
        return Err(ValidationError::Empty { field: FIELD });
    }
    let len = key.chars().count();
    if len > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(ValidationError::TooLong { field: FIELD, max: MAX_IDEMPOTENCY_KEY_LEN, actual: len });
    }
    if key.chars().any(char::is_control) {
        return Err(ValidationError::ControlCharacter { field: FIELD });
    }
    Ok(())
}

/// A command's identity, fixed before its first attempt.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub metadata: EventMetadata,
    pub idempotency: Option<Idempotency>,
}

impl Prepared {
    /// Events are attributed to `tenant_id` (signup: the tenant it creates) while the command
    /// id stays derived from the context it came with.
    pub fn attributed_to(mut self, tenant_id: TenantId) -> Self {
        self.metadata.tenant_id = Some(tenant_id.as_uuid());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ctx() -> CommandContext {
        CommandContext::new(Actor::System("test".into()), datetime!(2025-01-01 0:00 UTC))
    }

    #[test]
    fn same_key_gives_the_same_command_id_per_tenant() {
        let a = TenantId::new(Uuid::from_u128(1));
        let b = TenantId::new(Uuid::from_u128(2));
        let keyed = ctx().with_idempotency_key("k1");
        assert_eq!(keyed.clone().in_tenant(a).command_id(), keyed.clone().in_tenant(a).command_id());
        assert_ne!(keyed.clone().in_tenant(a).command_id(), keyed.in_tenant(b).command_id());
    }

    #[test]
    fn without_a_key_every_command_is_new() {
        assert_ne!(ctx().command_id(), ctx().command_id());
        assert!(ctx().idempotency(Uuid::nil(), "x", &json!({})).is_none());
    }

    #[test]
    fn fingerprint_depends_on_the_actor() {
        let input = json!({"name": "docs"});
        let a = ctx().with_idempotency_key("k").idempotency(Uuid::nil(), "c", &input).unwrap();
        let mut other = ctx().with_idempotency_key("k");
        other.actor = Actor::User(Uuid::from_u128(9));
        let b = other.idempotency(Uuid::nil(), "c", &input).unwrap();
        assert_ne!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn blank_or_huge_idempotency_keys_are_refused() {
        assert!(ctx().with_idempotency_key(" ").prepare("c", &json!({})).is_err());
        let huge = "k".repeat(256);
        assert!(ctx().with_idempotency_key(huge).prepare("c", &json!({})).is_err());
    }

    #[test]
    fn a_context_bound_to_one_tenant_cannot_reach_another() {
        let a = TenantId::new(Uuid::from_u128(1));
        let b = TenantId::new(Uuid::from_u128(2));
        assert!(ctx().in_tenant(a).scoped(b).is_err());
        assert_eq!(ctx().in_tenant(a).scoped(a).unwrap().tenant_id, Some(a));
    }
}
