//! Personal data inside events, and the JSON contract the event store seals.
//!
//! A field that holds personal data is typed [`Personal<T>`]; it names its data subject. In the
//! logical (unsealed) JSON of an event it appears as
//! `{"$personal": {"subject": "user:…", "value": …}}`. The event store replaces every such node
//! with a sealed one before writing, and on reading turns it back, or, once the subject's key has
//! been shredded, into `{"$personal": {"subject": "user:…", "erased": true}}`, which deserializes
//! as [`Personal::Erased`]. Domain code therefore cannot forget to seal a field, and must say
//! what an erased value means wherever it reads one.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The JSON key that marks a personal-data node in an event's logical payload.
pub const PERSONAL_TAG: &str = "$personal";

/// Whose personal data a value is: the unit of erasure. One data key exists per subject.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectId(String);

impl SubjectId {
    /// A subject named by its kind and id, such as `user:0190…`.
    pub fn new(kind: &str, id: impl fmt::Display) -> Self {
        Self(format!("{kind}:{id}"))
    }

    /// Wraps a subject id read back from storage.
    pub fn from_stored(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectId({})", self.0)
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value that is personal data of `subject`, or the trace of one that has been erased.
#[derive(Clone, PartialEq, Eq)]
pub enum Personal<T> {
    Known { subject: SubjectId, value: T },
    Erased { subject: SubjectId },
}

impl<T> Personal<T> {
    pub fn new(subject: SubjectId, value: T) -> Self {
        Self::Known { subject, value }
    }

    pub fn subject(&self) -> &SubjectId {
        match self {
            Self::Known { subject, .. } | Self::Erased { subject } => subject,
        }
    }

    /// The value, or `None` once the subject has been erased.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Known { value, .. } => Some(value),
            Self::Erased { .. } => None,
        }
    }

    pub fn is_erased(&self) -> bool {
        matches!(self, Self::Erased { .. })
    }
}

/// Personal data never prints: logs and panics show only the subject.
impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known { subject, .. } => write!(f, "Personal({subject}, <redacted>)"),
            Self::Erased { subject } => write!(f, "Personal({subject}, <erased>)"),
        }
    }
}

// `default` on a generic field would otherwise make serde demand `V: Default`.
#[derive(Serialize, Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de>"))]
struct Node<V> {
    subject: SubjectId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<V>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    erased: bool,
}

#[derive(Serialize, Deserialize)]
struct Tagged<V> {
    #[serde(rename = "$personal")]
    node: Node<V>,
}

impl<T: Serialize> Serialize for Personal<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = match self {
            Self::Known { subject, value } => Node { subject: subject.clone(), value: Some(value), erased: false },
            Self::Erased { subject } => Node { subject: subject.clone(), value: None, erased: true },
        };
        Tagged { node }.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Personal<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Tagged { node } = Tagged::<T>::deserialize(deserializer)?;
        match (node.value, node.erased) {
            (_, true) => Ok(Self::Erased { subject: node.subject }),
            (Some(value), false) => Ok(Self::Known { subject: node.subject, value }),
            (None, false) => Err(serde::de::Error::custom(
                "a $personal node needs a value or \"erased\": true (was it left sealed?)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subject() -> SubjectId {
        SubjectId::new("user", "42")
    }

    #[test]
    fn known_value_round_trips_through_the_tagged_form() {
        let p = Personal::new(subject(), "ada@example.com".to_string());
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v, json!({"$personal": {"subject": "user:42", "value": "ada@example.com"}}));
        assert_eq!(serde_json::from_value::<Personal<String>>(v).unwrap(), p);
    }

    #[test]
    fn erased_marker_reads_back_as_erased() {
        let v = json!({"$personal": {"subject": "user:42", "erased": true}});
        let p: Personal<String> = serde_json::from_value(v).unwrap();
        assert_eq!(p, Personal::Erased { subject: subject() });
        assert_eq!(p.value(), None);
    }

    #[test]
    fn a_node_without_value_is_an_error_not_a_silent_erasure() {
        let v = json!({"$personal": {"subject": "user:42"}});
        assert!(serde_json::from_value::<Personal<String>>(v).is_err());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let p = Personal::new(subject(), "secret".to_string());
        assert!(!format!("{p:?}").contains("secret"));
    }
}
