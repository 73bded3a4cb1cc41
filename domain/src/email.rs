//! Email addresses, parsed once at the edge and normalized so equal addresses compare equal.

use std::fmt;

use serde::Deserialize;

use crate::ValidationError;

const FIELD: &str = "email";
/// The longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;

/// A syntactically plausible, normalized (trimmed, lowercased) email address.
///
/// It is personal data: it has no `Display` or `Serialize`, and `Debug` redacts it, so it can
/// only reach an event or a log by being wrapped in [`crate::Personal`] on purpose.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain.tld` with exactly one `@`, a non-empty local part and a domain
    /// containing a dot; rejects whitespace and anything over 254 characters. Deliverability
    /// is proven by the verification mail, not here.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValidationError::Empty { field: FIELD });
        }
        let len = email.chars().count();
        if len > MAX_LEN {
            return Err(ValidationError::TooLong { field: FIELD, max: MAX_LEN, actual: len });
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed("must not contain spaces or control characters"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(malformed("must contain an '@'"));
        };
        if domain.contains('@') {
            return Err(malformed("must contain exactly one '@'"));
        }
        if local.is_empty() {
            return Err(malformed("needs a name before the '@'"));
        }
        if !domain_is_plausible(domain) {
            return Err(malformed("needs a domain with a dot after the '@'"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn domain_is_plausible(domain: &str) -> bool {
    domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
}

fn malformed(reason: &'static str) -> ValidationError {
    ValidationError::Malformed { field: FIELD, reason }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ValidationError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(raw: &str) -> ValidationError {
        EmailAddress::parse(raw).unwrap_err()
    }

    #[test]
    fn valid_address_is_trimmed_and_lowercased() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn empty_or_blank_address_is_refused() {
        assert_eq!(reason("   "), ValidationError::Empty { field: "email" });
    }

    #[test]
    fn address_without_at_is_refused() {
        assert_eq!(reason("ada.example.com"), malformed("must contain an '@'"));
    }

    #[test]
    fn address_with_two_ats_is_refused() {
        assert_eq!(reason("ada@lovelace@example.com"), malformed("must contain exactly one '@'"));
    }

    #[test]
    fn address_without_local_part_is_refused() {
        assert_eq!(reason("@example.com"), malformed("needs a name before the '@'"));
    }

    #[test]
    fn address_whose_domain_lacks_a_dot_is_refused() {
        for raw in ["ada@localhost", "ada@", "ada@example.", "ada@.com", "ada@ex..com"] {
            assert_eq!(reason(raw), malformed("needs a domain with a dot after the '@'"), "{raw}");
        }
    }

    #[test]
    fn address_with_inner_space_is_refused() {
        assert_eq!(reason("ada @example.com").field(), "email");
    }

    #[test]
    fn address_of_254_characters_is_accepted_and_255_refused() {
        let domain = "@example.com";
        let fits = format!("{}{domain}", "a".repeat(254 - domain.len()));
        assert!(EmailAddress::parse(&fits).is_ok());
        let too_long = format!("a{fits}");
        assert_eq!(reason(&too_long), ValidationError::TooLong { field: "email", max: 254, actual: 255 });
    }

    #[test]
    fn debug_does_not_show_the_address() {
        let email = EmailAddress::parse("ada@example.com").unwrap();
        assert!(!format!("{email:?}").contains("ada"));
    }

    #[test]
    fn deserializing_goes_through_parse() {
        let email: EmailAddress = serde_json::from_str("\" ADA@example.com\"").unwrap();
        assert_eq!(email.as_str(), "ada@example.com");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }
}
