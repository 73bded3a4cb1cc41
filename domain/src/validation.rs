//! Why an input was refused when parsed into a domain type.

use thiserror::Error;

/// Why a raw input could not become a domain value. `field` names the input, in the
/// snake_case the API uses, so callers can point at it (RFC 9457 `invalid-params`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("{field}: must not be empty")]
    Empty { field: &'static str },

    #[error("{field}: must be at most {max} characters, got {actual}")]
    TooLong { field: &'static str, max: usize, actual: usize },

    #[error("{field}: must not contain control characters")]
    ControlCharacter { field: &'static str },

    #[error("{field}: {reason}")]
    Malformed { field: &'static str, reason: &'static str },

    #[error("{field}: {value:?} is not one of {expected}")]
    NotOneOf { field: &'static str, value: String, expected: &'static str },
}

impl ValidationError {
    /// The input that was refused.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty { field }
            | Self::TooLong { field, .. }
            | Self::ControlCharacter { field }
            | Self::Malformed { field, .. }
            | Self::NotOneOf { field, .. } => field,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_field_and_the_reason() {
        let e = ValidationError::TooLong { field: "tenant_name", max: 100, actual: 101 };
        assert_eq!(e.to_string(), "tenant_name: must be at most 100 characters, got 101");
        assert_eq!(e.field(), "tenant_name");
    }
}
