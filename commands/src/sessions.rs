//! Signing in and out of the dashboard. A session binds one user to one tenant until it
//! ends or expires; the browser holds a random token, the events only its hash.

use domain::{Session, SessionCommand, SessionId, Tenant, TenantId, UserId};
use eventstore::{Actor, EventStore, Position};
use rand::rngs::OsRng;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands, Loaded};

/// 32 bytes from the operating system's CSPRNG, base64url: unguessable, so a single fast
/// hash is enough to look it up (as for API keys).
const TOKEN_BYTES: usize = 32;

/// A new session. `token` goes into the session cookie and nowhere else.
#[derive(Clone)]
pub struct StartedSession {
    pub session_id: SessionId,
    pub token: String,
    pub expires_at: OffsetDateTime,
    pub position: Position,
}

impl std::fmt::Debug for StartedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedSession")
            .field("session_id", &self.session_id)
            .field("expires_at", &self.expires_at)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

/// Hex SHA-256 of a session token: what events and the read model hold.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl<S: EventStore> Commands<S> {
    /// Starts a session of `user_id` in `tenant_id`, which they must be a member of, lasting
    /// `ttl`. Never idempotent: every sign-in is a new session with a new token.
    #[tracing::instrument(skip_all, fields(%tenant_id, %user_id))]
    pub async fn start_session(
        &self,
        ctx: &CommandContext,
        user_id: UserId,
        tenant_id: TenantId,
        ttl: Duration,
    ) -> Result<StartedSession, CommandError> {
        let mut ctx = ctx.scoped(tenant_id)?;
        ctx.idempotency_key = None;
        ctx.actor = Actor::User(user_id.as_uuid());
        let command = ctx.prepare("start_session", &json!({}))?;
        let session_id = SessionId::new(Uuid::now_v7());
        let token = random_token();
        let token_hash = hash_token(&token);
        let expires_at = ctx.at + ttl;
        let done = self
            .run(&command, || {
                let start = SessionCommand::StartSession {
                    session_id,
                    user_id,
                    tenant_id,
                    token_hash: token_hash.clone(),
                    expires_at,
                    at: ctx.at,
                };
                Box::pin(self.decide_start_session(user_id, tenant_id, session_id, start))
            })
            .await?;
        Ok(StartedSession { session_id, token, expires_at, position: done.position })
    }

    async fn decide_start_session(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        session_id: SessionId,
        start: SessionCommand,
    ) -> Result<Decision<()>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        if tenant.state.role_of(user_id).is_none() {
            return Err(CommandError::NotFound("tenant"));
        }
        Ok(Decision { streams: vec![Loaded::<Session>::fresh(session_id).decide(start)?], answer: () })
    }

    /// Ends `session_id` (logout). Ending a session that already ended is not an error: the
    /// caller wanted it over, and it is; the answer is then [`Position::START`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn end_session(&self, ctx: &CommandContext, session_id: SessionId) -> Result<Position, CommandError> {
        let mut ctx = ctx.clone();
        ctx.idempotency_key = None;
        let command = ctx.prepare("end_session", &json!({ "session_id": session_id }))?;
        let done = self
            .run(&command, || {
                Box::pin(async move {
                    let session = load::<Session, _>(&*self.store, session_id).await?;
                    let streams = match session.state.started() {
                        Some(started) if started.ended_at.is_some() => vec![],
                        _ => vec![session.decide(SessionCommand::EndSession { at: ctx.at })?],
                    };
                    Ok(Decision { streams, answer: () })
                })
            })
            .await?;
        Ok(done.position)
    }
}

fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
