//! Human-given names: trimmed, 1 to 100 characters, no control characters.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

const MAX_LEN: usize = 100;

/// The shared rule behind every name type; `field` says which input was refused.
fn parse_name(field: &'static str, raw: &str) -> Result<String, ValidationError> {
    parse_line(field, raw, MAX_LEN)
}

/// A trimmed, non-empty single line of at most `max` characters without control characters.
pub(crate) fn parse_line(field: &'static str, raw: &str, max: usize) -> Result<String, ValidationError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = name.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, max, actual: len });
    }
    if name.chars().any(char::is_control) {
        return Err(ValidationError::ControlCharacter { field });
    }
    Ok(name.to_owned())
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                parse_name($field, raw).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }
    };
}

/// Names that are not personal data print and serialize like plain strings.
macro_rules! public_name {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

name_type!(
    /// What a customer calls its organisation.
    TenantName, "tenant_name"
);
public_name!(TenantName);

name_type!(
    /// What a tenant calls one of its projects.
    ProjectName, "project_name"
);
public_name!(ProjectName);

name_type!(
    /// A label for an API key, so its owner can tell keys apart ("CI", "staging").
    ApiKeyName, "api_key_name"
);
public_name!(ApiKeyName);

name_type!(
    /// A person's display name. Personal data: no `Display` or `Serialize`, and `Debug`
    /// redacts it, so it reaches events only wrapped in [`crate::Personal`].
    PersonName, "name"
);

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed() {
        assert_eq!(TenantName::parse("  Acme GmbH \t").unwrap().as_str(), "Acme GmbH");
    }

    #[test]
    fn blank_name_is_refused() {
        assert_eq!(ProjectName::parse(" \n "), Err(ValidationError::Empty { field: "project_name" }));
    }

    #[test]
    fn name_of_100_characters_is_accepted_and_101_refused() {
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(101)),
            Err(ValidationError::TooLong { field: "name", max: 100, actual: 101 })
        );
    }

    #[test]
    fn name_with_control_character_is_refused() {
        assert_eq!(TenantName::parse("Acme\u{0}Corp"), Err(ValidationError::ControlCharacter { field: "tenant_name" }));
    }

    #[test]
    fn person_name_never_prints() {
        let name = PersonName::parse("Ada Lovelace").unwrap();
        assert!(!format!("{name:?}").contains("Ada"));
    }

    #[test]
    fn public_names_serialize_as_strings_and_deserialize_through_parse() {
        let name = ApiKeyName::parse("CI").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"CI\"");
        assert_eq!(serde_json::from_str::<ApiKeyName>("\" CI \"").unwrap(), name);
        assert!(serde_json::from_str::<ApiKeyName>("\"\"").is_err());
    }
}
