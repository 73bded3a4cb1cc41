//! What every command issued by a request carries: the request id as correlation id, the
//! caller's trace context and `Idempotency-Key`, and the time the request was accepted.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use commands::CommandContext;
use eventstore::Actor;
use time::OffsetDateTime;
use uuid::Uuid;

use super::request_id::current_request_id;

pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The parts of a request that go into its commands' metadata.
#[derive(Debug, Clone)]
pub struct RequestContext {
    request_id: Uuid,
    traceparent: Option<String>,
    idempotency_key: Option<String>,
}

impl RequestContext {
    /// A command context for `actor`. A malformed `Idempotency-Key` is passed on as sent so
    /// that the command refuses it with a validation error, rather than being dropped.
    pub fn command(&self, actor: Actor) -> CommandContext {
        let mut ctx = CommandContext::new(actor, OffsetDateTime::now_utc());
        ctx.correlation_id = self.request_id;
        ctx.traceparent = self.traceparent.clone();
        ctx.idempotency_key = self.idempotency_key.clone();
        ctx
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let text = |name: &str| parts.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        Ok(Self {
            request_id: current_request_id().unwrap_or_else(Uuid::now_v7),
            traceparent: text("traceparent"),
            idempotency_key: text(IDEMPOTENCY_KEY_HEADER),
        })
    }
}
