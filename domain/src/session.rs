//! The session aggregate: one sign-in of a user into a tenant, from login until logout or
//! expiry. Only a hash of the session token is recorded; the token itself lives in the
//! browser's cookie. Sessions are events so that sign-ins and sign-outs are part of the audit
//! trail like every other change.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{Decide, SessionId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq)]
pub enum SessionCommand {
    /// `token_hash` is the hash of the cookie's token, computed by the caller.
    StartSession {
        session_id: SessionId,
        user_id: UserId,
        tenant_id: TenantId,
        token_hash: String,
        expires_at: OffsetDateTime,
        at: OffsetDateTime,
    },
    EndSession {
        at: OffsetDateTime,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionEvent {
    SessionStarted {
        session_id: SessionId,
        user_id: UserId,
        tenant_id: TenantId,
        token_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    SessionEnded {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for SessionEvent {
    fn event_type(&self) -> String {
        match self {
            Self::SessionStarted { .. } => "SessionStarted",
            Self::SessionEnded { .. } => "SessionEnded",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    #[error("the session does not exist")]
    NotFound,
    #[error("the session has already started")]
    AlreadyStarted,
    #[error("the session has already ended")]
    AlreadyEnded,
    #[error("a session must expire after it starts")]
    ExpiresBeforeStart,
}

/// A session as its events describe it; `None` until started.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    started: Option<StartedSession>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub tenant_id: TenantId,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
}

impl Session {
    pub fn started(&self) -> Option<&StartedSession> {
        self.started.as_ref()
    }
}

impl Decide for Session {
    const TYPE: &'static str = "session";
    type Command = SessionCommand;
    type Event = SessionEvent;
    type Error = SessionError;

    fn decide(&self, command: SessionCommand) -> Result<Vec<SessionEvent>, SessionError> {
        match (command, &self.started) {
            (SessionCommand::StartSession { expires_at, at, .. }, None) if expires_at <= at => {
                Err(SessionError::ExpiresBeforeStart)
            }
            (SessionCommand::StartSession { session_id, user_id, tenant_id, token_hash, expires_at, at }, None) => {
                Ok(vec![SessionEvent::SessionStarted { session_id, user_id, tenant_id, token_hash, expires_at, at }])
            }
            (SessionCommand::StartSession { .. }, Some(_)) => Err(SessionError::AlreadyStarted),
            (SessionCommand::EndSession { .. }, None) => Err(SessionError::NotFound),
            (SessionCommand::EndSession { .. }, Some(s)) if s.ended_at.is_some() => Err(SessionError::AlreadyEnded),
            (SessionCommand::EndSession { at }, Some(_)) => Ok(vec![SessionEvent::SessionEnded { at }]),
        }
    }

    fn apply(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::SessionStarted { session_id, user_id, tenant_id, expires_at, .. } => {
                self.started = Some(StartedSession { id: session_id, user_id, tenant_id, expires_at, ended_at: None });
            }
            SessionEvent::SessionEnded { at } => {
                if let Some(s) = &mut self.started {
                    s.ended_at = Some(at);
                }
            }
        }
    }
}
