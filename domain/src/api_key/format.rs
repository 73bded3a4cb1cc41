//! The text form of an API key: `ctxi_<prefix>_<secret>`, with an 8-character prefix and a
//! 32-character secret, both ASCII letters and digits (hex or base62 of random bytes).
//!
//! The random bytes are drawn and the full key is hashed outside the domain; here the shape
//! is checked so that a malformed key is refused before any lookup. The prefix is not secret:
//! it is stored in clear to find the key's record and to let people tell keys apart.

use std::fmt;

use crate::ValidationError;

const SCHEME: &str = "ctxi_";
const PREFIX_LEN: usize = 8;
const SECRET_LEN: usize = 32;
const FIELD: &str = "api_key";

/// The public part of an API key, stored in clear and shown in key listings.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKeyPrefix(String);

impl ApiKeyPrefix {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if is_token_part(raw, PREFIX_LEN) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(malformed("the prefix must be 8 ASCII letters or digits"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyPrefix({})", self.0)
    }
}

impl fmt::Display for ApiKeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A complete API key as shown once to its creator and presented on every request.
/// It never prints: `Debug` shows only the prefix, and there is no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret {
    prefix: ApiKeyPrefix,
    full: String,
}

impl ApiKeySecret {
    /// Assembles a new key from a prefix and a secret drawn from a secure random source.
    pub fn from_parts(prefix: &str, secret: &str) -> Result<Self, ValidationError> {
        let prefix = ApiKeyPrefix::parse(prefix)?;
        if !is_token_part(secret, SECRET_LEN) {
            return Err(malformed("the secret must be 32 ASCII letters or digits"));
        }
        let full = format!("{SCHEME}{prefix}_{secret}");
        Ok(Self { prefix, full })
    }

    /// Reads a key presented by a client, surrounding whitespace ignored.
    pub fn parse(presented: &str) -> Result<Self, ValidationError> {
        let rest = presented.trim().strip_prefix(SCHEME).ok_or(malformed("must start with \"ctxi_\""))?;
        let (prefix, secret) = rest.split_once('_').ok_or(malformed("must have the form ctxi_<prefix>_<secret>"))?;
        Self::from_parts(prefix, secret)
    }

    pub fn prefix(&self) -> &ApiKeyPrefix {
        &self.prefix
    }

    /// The whole key, for showing it once at issue time and for hashing.
    pub fn expose(&self) -> &str {
        &self.full
    }

    /// The prefix, to look the key up, and the whole key, to hash and compare.
    pub fn into_parts(self) -> (ApiKeyPrefix, String) {
        (self.prefix, self.full)
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeySecret({SCHEME}{}_<redacted>)", self.prefix)
    }
}

fn is_token_part(part: &str, len: usize) -> bool {
    part.len() == len && part.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn malformed(reason: &'static str) -> ValidationError {
    ValidationError::Malformed { field: FIELD, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "a1b2c3d4";
    const SECRET: &str = "0123456789abcdefABCDEF0123456789";

    #[test]
    fn key_is_assembled_from_its_parts() {
        let key = ApiKeySecret::from_parts(PREFIX, SECRET).unwrap();
        assert_eq!(key.expose(), format!("ctxi_{PREFIX}_{SECRET}"));
        assert_eq!(key.prefix().as_str(), PREFIX);
    }

    #[test]
    fn presented_key_parses_into_prefix_and_full_key() {
        let presented = format!(" ctxi_{PREFIX}_{SECRET}\n");
        let (prefix, full) = ApiKeySecret::parse(&presented).unwrap().into_parts();
        assert_eq!(prefix.as_str(), PREFIX);
        assert_eq!(full, presented.trim());
    }

    #[test]
    fn key_with_another_scheme_is_refused() {
        let err = ApiKeySecret::parse(&format!("sk_{PREFIX}_{SECRET}")).unwrap_err();
        assert_eq!(err, malformed("must start with \"ctxi_\""));
    }

    #[test]
    fn key_with_wrong_lengths_or_characters_is_refused() {
        let short_prefix = format!("ctxi_a1b2_{SECRET}");
        let short_secret = format!("ctxi_{PREFIX}_0123");
        let bad_char = format!("ctxi_{PREFIX}_{}-", &SECRET[..31]);
        let no_separator = format!("ctxi_{PREFIX}{SECRET}");
        for raw in [short_prefix, short_secret, bad_char, no_separator] {
            assert_eq!(ApiKeySecret::parse(&raw).unwrap_err().field(), "api_key", "{raw}");
        }
    }

    #[test]
    fn debug_shows_the_prefix_but_not_the_secret() {
        let key = ApiKeySecret::from_parts(PREFIX, SECRET).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains(PREFIX));
        assert!(!shown.contains(SECRET));
    }
}
