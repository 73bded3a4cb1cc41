//! The user aggregate: a person's sign-in identity. Global email uniqueness is guarded by
//! [`crate::EmailClaim`], which the `commands` layer claims in the same append.

mod event;
mod password_hash;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

pub use event::UserEvent;
pub use password_hash::PasswordHash;

use crate::{Decide, EmailAddress, PersonName, Personal, UserId};

/// What can be asked of a user.
#[derive(Clone, Debug, PartialEq)]
pub enum UserCommand {
    RegisterUser {
        user_id: UserId,
        email: EmailAddress,
        name: PersonName,
        password_hash: PasswordHash,
        at: OffsetDateTime,
    },
    ChangeName {
        name: PersonName,
        at: OffsetDateTime,
    },
    ChangePassword {
        password_hash: PasswordHash,
        at: OffsetDateTime,
    },
}

/// Why a user refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UserError {
    #[error("the user does not exist")]
    NotFound,
    #[error("the user already exists")]
    AlreadyExists,
}

/// A user as its events describe it; `None` until registered.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct User {
    registered: Option<RegisteredUser>,
}

/// A registered user. Email and name stay `Personal` so that an erased user reads as erased
/// rather than as an empty string.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisteredUser {
    pub id: UserId,
    pub email: Personal<String>,
    pub name: Personal<String>,
    pub password_hash: PasswordHash,
}

impl User {
    pub fn registered(&self) -> Option<&RegisteredUser> {
        self.registered.as_ref()
    }
}

impl Decide for User {
    const TYPE: &'static str = "user";
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;

    fn decide(&self, command: UserCommand) -> Result<Vec<UserEvent>, UserError> {
        match (command, &self.registered) {
            (UserCommand::RegisterUser { user_id, email, name, password_hash, at }, None) => {
                let subject = user_id.subject();
                Ok(vec![UserEvent::UserRegistered {
                    user_id,
                    email: Personal::new(subject.clone(), email.into_string()),
                    name: Personal::new(subject, name.into_string()),
                    password_hash: password_hash.into_string(),
                    at,
                }])
            }
            (UserCommand::RegisterUser { .. }, Some(_)) => Err(UserError::AlreadyExists),
            (_, None) => Err(UserError::NotFound),
            // Renaming to the current name records nothing, so retries are harmless.
            (UserCommand::ChangeName { name, .. }, Some(user))
                if user.name.value().map(String::as_str) == Some(name.as_str()) =>
            {
                Ok(vec![])
            }
            (UserCommand::ChangeName { name, at }, Some(user)) => {
                Ok(vec![UserEvent::UserRenamed { name: Personal::new(user.id.subject(), name.into_string()), at }])
            }
            (UserCommand::ChangePassword { password_hash, at }, Some(_)) => {
                Ok(vec![UserEvent::PasswordChanged { password_hash: password_hash.into_string(), at }])
            }
        }
    }

    fn apply(&mut self, event: UserEvent) {
        match event {
            UserEvent::UserRegistered { user_id, email, name, password_hash, .. } => {
                self.registered = Some(RegisteredUser {
                    id: user_id,
                    email,
                    name,
                    password_hash: PasswordHash::from_recorded(password_hash),
                });
            }
            UserEvent::UserRenamed { name, .. } => {
                if let Some(user) = &mut self.registered {
                    user.name = name;
                }
            }
            UserEvent::PasswordChanged { password_hash, .. } => {
                if let Some(user) = &mut self.registered {
                    user.password_hash = PasswordHash::from_recorded(password_hash);
                }
            }
        }
    }
}
