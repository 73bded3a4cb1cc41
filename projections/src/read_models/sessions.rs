//! `sessions`: dashboard sign-ins, found by the hash of the cookie's token on every request.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Session, SessionEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    session_id uuid        PRIMARY KEY,
    token_hash text        NOT NULL,
    user_id    uuid        NOT NULL,
    tenant_id  uuid        NOT NULL,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);";

/// Tokens are 256 random bits, so the hash is unique in practice; the index stays non-unique
/// so that the impossible collision could never stop the projector.
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS sessions_by_token_hash ON sessions (token_hash);";

const HANDLED: &[&str] = &["SessionStarted", "SessionEnded"];

/// Projects session streams into `sessions`. Expired sessions stay (the check compares
/// `expires_at` with the clock); ended ones keep `ended_at`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sessions;

struct Started {
    token_hash: String,
    user_id: Uuid,
    tenant_id: Uuid,
    at: OffsetDateTime,
    expires_at: OffsetDateTime,
    ended_at: Option<OffsetDateTime>,
}

#[async_trait]
impl Projector for Sessions {
    fn name(&self) -> &'static str {
        "sessions"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["sessions"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Session::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut started: HashMap<Uuid, Started> = HashMap::new();
        let mut ended: HashMap<Uuid, OffsetDateTime> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let id = stream_uuid(event)?;
            match decode::<SessionEvent>(event)? {
                SessionEvent::SessionStarted { user_id, tenant_id, token_hash, expires_at, at, .. } => {
                    let (user_id, tenant_id) = (user_id.as_uuid(), tenant_id.as_uuid());
                    started.insert(id, Started { token_hash, user_id, tenant_id, at, expires_at, ended_at: None });
                }
                SessionEvent::SessionEnded { at } => match started.get_mut(&id) {
                    Some(session) => session.ended_at = Some(at),
                    None => {
                        ended.insert(id, at);
                    }
                },
            }
        }
        if !started.is_empty() {
            let mut ids = Vec::with_capacity(started.len());
            let (mut hashes, mut users, mut tenants) = (Vec::new(), Vec::new(), Vec::new());
            let (mut starts, mut expiries, mut ends) = (Vec::new(), Vec::new(), Vec::new());
            for (id, s) in started {
                ids.push(id);
                hashes.push(s.token_hash);
                users.push(s.user_id);
                tenants.push(s.tenant_id);
                starts.push(s.at);
                expiries.push(s.expires_at);
                ends.push(s.ended_at);
            }
            sqlx::query(
                "INSERT INTO sessions (session_id, token_hash, user_id, tenant_id, started_at, expires_at, ended_at)
                 SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::timestamptz[],
                                      $6::timestamptz[], $7::timestamptz[])",
            )
            .bind(&ids)
            .bind(&hashes)
            .bind(&users)
            .bind(&tenants)
            .bind(&starts)
            .bind(&expiries)
            .bind(&ends)
            .execute(&mut **tx)
            .await?;
        }
        if !ended.is_empty() {
            let (ids, ats): (Vec<Uuid>, Vec<OffsetDateTime>) = ended.into_iter().unzip();
            sqlx::query(
                "UPDATE sessions s SET ended_at = c.ended_at
                   FROM unnest($1::uuid[], $2::timestamptz[]) AS c(session_id, ended_at)
                  WHERE s.session_id = c.session_id",
            )
            .bind(&ids)
            .bind(&ats)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
