//! A document's title and metadata, as uploads give them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::names::parse_line;
use crate::ValidationError;

/// The longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The largest metadata object accepted, in bytes of compact JSON.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// What a customer calls a document: one trimmed line. Titles can name people, so they travel
/// sealed in events and `Debug` does not show them.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentTitle(String);

impl DocumentTitle {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        parse_line("title", raw, MAX_TITLE_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocumentTitle {
    type Error = ValidationError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<DocumentTitle> for String {
    fn from(title: DocumentTitle) -> Self {
        title.0
    }
}

impl fmt::Debug for DocumentTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DocumentTitle(<redacted>)")
    }
}

/// Free-form JSON a customer attaches to a document and filters retrievals by: an object of
/// bounded size.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    pub fn parse(value: Value) -> Result<Self, ValidationError> {
        match value {
            Value::Null => Ok(Self::default()),
            Value::Object(map) => {
                let size = Value::Object(map.clone()).to_string().len();
                if size > MAX_METADATA_BYTES {
                    return Err(ValidationError::TooLong { field: "metadata", max: MAX_METADATA_BYTES, actual: size });
                }
                Ok(Self(map))
            }
            _ => Err(ValidationError::Malformed { field: "metadata", reason: "must be a JSON object" }),
        }
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl TryFrom<Value> for Metadata {
    type Error = ValidationError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Metadata> for Value {
    fn from(metadata: Metadata) -> Self {
        Value::Object(metadata.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn title_is_trimmed_and_bounded() {
        assert_eq!(DocumentTitle::parse("  Handbook ").unwrap().as_str(), "Handbook");
        assert!(DocumentTitle::parse(&"x".repeat(MAX_TITLE_CHARS)).is_ok());
        assert_eq!(DocumentTitle::parse(&"x".repeat(301)).unwrap_err().field(), "title");
    }

    #[test]
    fn metadata_must_be_an_object_of_bounded_size() {
        assert_eq!(Metadata::parse(json!(null)).unwrap(), Metadata::default());
        assert!(Metadata::parse(json!({"team": "docs"})).is_ok());
        assert_eq!(Metadata::parse(json!([1])).unwrap_err().field(), "metadata");
        let big = json!({ "blob": "x".repeat(MAX_METADATA_BYTES) });
        assert!(matches!(Metadata::parse(big), Err(ValidationError::TooLong { .. })));
    }
}
