//! The email claim aggregate: one stream per normalized email address, so that two users
//! can never register the same address. The stream id is a keyed hash of the address,
//! computed outside the domain, so the address itself appears in no stream id.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{Decide, UserId};

/// What can be asked of an email claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailClaimCommand {
    /// Reserves the address for `user_id`; appended with that user's `UserRegistered`.
    ClaimEmail { user_id: UserId, at: OffsetDateTime },
}

/// What happened to an email claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailClaimEvent {
    EmailClaimed {
        user_id: UserId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for EmailClaimEvent {
    fn event_type(&self) -> String {
        match self {
            Self::EmailClaimed { .. } => "EmailClaimed".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Why an email claim refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailClaimError {
    /// Deliberately does not say by whom: that would tell a stranger who owns the address.
    #[error("the email address is already in use")]
    AlreadyClaimed,
}

/// An email claim as its events describe it.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct EmailClaim {
    claimed_by: Option<UserId>,
}

impl EmailClaim {
    pub fn claimed_by(&self) -> Option<UserId> {
        self.claimed_by
    }
}

impl Decide for EmailClaim {
    const TYPE: &'static str = "email_claim";
    type Command = EmailClaimCommand;
    type Event = EmailClaimEvent;
    type Error = EmailClaimError;

    fn decide(&self, command: EmailClaimCommand) -> Result<Vec<EmailClaimEvent>, EmailClaimError> {
        match command {
            EmailClaimCommand::ClaimEmail { .. } if self.claimed_by.is_some() => Err(EmailClaimError::AlreadyClaimed),
            EmailClaimCommand::ClaimEmail { user_id, at } => Ok(vec![EmailClaimEvent::EmailClaimed { user_id, at }]),
        }
    }

    fn apply(&mut self, event: EmailClaimEvent) {
        match event {
            EmailClaimEvent::EmailClaimed { user_id, .. } => self.claimed_by = Some(user_id),
        }
    }
}
