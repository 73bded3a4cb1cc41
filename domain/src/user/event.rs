use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Personal, UserId};

/// What happened to a user. Email and name are sealed personal data of the user's subject.
/// The password hash is not personal data but is never printed: `Debug` redacts it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserEvent {
    UserRegistered {
        user_id: UserId,
        email: Personal<String>,
        name: Personal<String>,
        password_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    UserRenamed {
        name: Personal<String>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    PasswordChanged {
        password_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl fmt::Debug for UserEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "<redacted>";
        match self {
            Self::UserRegistered { user_id, email, name, at, .. } => f
                .debug_struct("UserRegistered")
                .field("user_id", user_id)
                .field("email", email)
                .field("name", name)
                .field("password_hash", &REDACTED)
                .field("at", at)
                .finish(),
            Self::UserRenamed { name, at } => {
                f.debug_struct("UserRenamed").field("name", name).field("at", at).finish()
            }
            Self::PasswordChanged { at, .. } => {
                f.debug_struct("PasswordChanged").field("password_hash", &REDACTED).field("at", at).finish()
            }
        }
    }
}

impl cqrs_es::DomainEvent for UserEvent {
    fn event_type(&self) -> String {
        match self {
            Self::UserRegistered { .. } => "UserRegistered",
            Self::UserRenamed { .. } => "UserRenamed",
            Self::PasswordChanged { .. } => "PasswordChanged",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}
