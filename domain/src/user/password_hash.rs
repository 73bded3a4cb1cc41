use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

const ARGON2ID: &str = "$argon2id$";

/// An argon2id password hash in PHC string form (`$argon2id$v=19$m=…$salt$hash`).
///
/// Hashing needs a random salt, so it happens outside the domain; the domain only insists that
/// what it records is an argon2id hash and never a password. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_phc(phc: &str) -> Result<Self, ValidationError> {
        match phc.strip_prefix(ARGON2ID) {
            Some(rest) if !rest.is_empty() && !phc.chars().any(char::is_whitespace) => Ok(Self(phc.to_owned())),
            _ => Err(ValidationError::Malformed {
                field: "password_hash",
                reason: "must be an argon2id hash in PHC string form",
            }),
        }
    }

    /// Rebuilds a hash the domain itself recorded in an event; it was checked then.
    pub(crate) fn from_recorded(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

impl TryFrom<String> for PasswordHash {
    type Error = ValidationError;

    fn try_from(phc: String) -> Result<Self, Self::Error> {
        Self::from_phc(&phc)
    }
}

impl From<PasswordHash> for String {
    fn from(hash: PasswordHash) -> Self {
        hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

    #[test]
    fn argon2id_phc_string_is_accepted() {
        assert_eq!(PasswordHash::from_phc(PHC).unwrap().as_str(), PHC);
    }

    #[test]
    fn other_schemes_and_plain_passwords_are_refused() {
        for raw in ["hunter2", "$argon2i$v=19$m=1,t=1,p=1$x$y", "$2b$12$abc", "$argon2id$", ""] {
            assert_eq!(PasswordHash::from_phc(raw).unwrap_err().field(), "password_hash", "{raw}");
        }
    }

    #[test]
    fn debug_does_not_show_the_hash() {
        let hash = PasswordHash::from_phc(PHC).unwrap();
        assert!(!format!("{hash:?}").contains("argon2id"));
    }
}
