//! Sealing personal data in event payloads (crypto-shredding).
//!
//! The domain marks personal data as `{"$personal": {"subject", "value"}}` nodes
//! (see [`domain::personal`]). Before writing, every such node becomes
//! `{"$sealed": {"subject", "key", "data"}}`: the value's JSON encrypted with the subject's data
//! key (XChaCha20-Poly1305; subject and key id bound as associated data). Reading reverses it, or,
//! when the subject's key has been destroyed, yields `{"$personal": {"subject", "erased": true}}`.

mod keys;

use std::collections::{BTreeSet, HashMap};

use domain::PERSONAL_TAG;
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub use keys::{DataKey, KeyEncryptionKey};

/// The JSON key of a sealed node as stored.
pub const SEALED_TAG: &str = "$sealed";

#[derive(Debug, thiserror::Error)]
pub enum SealingError {
    #[error("the key-encryption key must be 32 bytes in base64")]
    BadKek,
    #[error("the data key of subject {0} does not unwrap with this key-encryption key")]
    UnwrapFailed(String),
    #[error("malformed personal-data node: {0}")]
    Malformed(&'static str),
    #[error("cannot write erased personal data of {0} into a new event")]
    ErasedInNewEvent(String),
    #[error("no data key for subject {0}")]
    MissingKey(String),
    /// The subject was erased (its key shredded): nothing new is ever sealed for it.
    #[error("{0} was erased: no new personal data can be recorded for it")]
    SubjectErased(String),
}

/// Subjects whose personal data appears unsealed in `payload`.
pub fn personal_subjects(payload: &Value, out: &mut BTreeSet<String>) {
    visit(payload, &mut |node| {
        if let Some(inner) = tagged(node, PERSONAL_TAG) {
            if let Some(subject) = inner.get("subject").and_then(Value::as_str) {
                out.insert(subject.to_owned());
            }
            return true;
        }
        false
    });
}

/// Subjects and key ids of the sealed nodes in a stored `payload`.
pub fn sealed_subjects(payload: &Value, out: &mut BTreeSet<String>) {
    visit(payload, &mut |node| {
        if let Some(inner) = tagged(node, SEALED_TAG) {
            if let Some(subject) = inner.get("subject").and_then(Value::as_str) {
                out.insert(subject.to_owned());
            }
            return true;
        }
        false
    });
}

/// Replaces every `$personal` node with its sealed form.
pub fn seal(payload: &mut Value, keys: &HashMap<String, DataKey>) -> Result<(), SealingError> {
    transform(payload, PERSONAL_TAG, &mut |inner| {
        let subject = subject_of(inner)?;
        if inner.get("erased").and_then(Value::as_bool) == Some(true) {
            return Err(SealingError::ErasedInNewEvent(subject.to_owned()));
        }
        let value = inner.get("value").ok_or(SealingError::Malformed("no value"))?;
        let key = keys.get(subject).ok_or_else(|| SealingError::MissingKey(subject.to_owned()))?;
        let plaintext = serde_json::to_vec(value).map_err(|_| SealingError::Malformed("value"))?;
        Ok(json!({ SEALED_TAG: {
            "subject": subject,
            "key": key.id,
            "data": key.seal(subject, &plaintext),
        }}))
    })
}

/// Replaces every sealed node with its plaintext `$personal` form, or with an erased marker
/// when the subject's key is gone (or is not the key the value was sealed with).
pub fn open(payload: &mut Value, keys: &HashMap<String, DataKey>) -> Result<(), SealingError> {
    transform(payload, SEALED_TAG, &mut |inner| {
        let subject = subject_of(inner)?;
        let key_id = inner
            .get("key")
            .and_then(Value::as_str)
            .and_then(|k| Uuid::parse_str(k).ok())
            .ok_or(SealingError::Malformed("no key id"))?;
        let data = inner.get("data").and_then(Value::as_str).ok_or(SealingError::Malformed("no data"))?;
        match keys.get(subject).filter(|k| k.id == key_id) {
            Some(key) => {
                let plaintext = key.open(subject, data)?;
                let value: Value =
                    serde_json::from_slice(&plaintext).map_err(|_| SealingError::Malformed("plaintext is not JSON"))?;
                Ok(json!({ PERSONAL_TAG: { "subject": subject, "value": value } }))
            }
            None => Ok(json!({ PERSONAL_TAG: { "subject": subject, "erased": true } })),
        }
    })
}

fn subject_of(inner: &Map<String, Value>) -> Result<&str, SealingError> {
    inner.get("subject").and_then(Value::as_str).ok_or(SealingError::Malformed("no subject"))
}

/// The inner object of a node shaped `{tag: {...}}`.
fn tagged<'a>(node: &'a Value, tag: &str) -> Option<&'a Map<String, Value>> {
    let object = node.as_object()?;
    if object.len() != 1 {
        return None;
    }
    object.get(tag)?.as_object()
}

/// Calls `f` on every node, depth first; `f` returns true to skip the node's children.
fn visit(node: &Value, f: &mut impl FnMut(&Value) -> bool) {
    if f(node) {
        return;
    }
    match node {
        Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit(v, f)),
        _ => {}
    }
}

fn transform(
    node: &mut Value,
    tag: &str,
    f: &mut impl FnMut(&Map<String, Value>) -> Result<Value, SealingError>,
) -> Result<(), SealingError> {
    if let Some(inner) = tagged(node, tag) {
        *node = f(inner)?;
        return Ok(());
    }
    match node {
        Value::Array(items) => items.iter_mut().try_for_each(|v| transform(v, tag, f)),
        Value::Object(map) => map.values_mut().try_for_each(|v| transform(v, tag, f)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Value {
        json!({"UserRegistered": {
            "email": {"$personal": {"subject": "user:1", "value": "ada@example.com"}},
            "plan": "free"
        }})
    }

    #[test]
    fn sealed_payload_hides_the_value_and_opens_back() {
        let keys = HashMap::from([("user:1".to_owned(), DataKey::generate())]);
        let mut p = payload();
        seal(&mut p, &keys).unwrap();
        let text = p.to_string();
        assert!(!text.contains("ada@example.com"), "{text}");
        assert!(text.contains(SEALED_TAG));
        open(&mut p, &keys).unwrap();
        assert_eq!(p, payload());
    }

    #[test]
    fn without_the_key_the_value_reads_as_erased() {
        let keys = HashMap::from([("user:1".to_owned(), DataKey::generate())]);
        let mut p = payload();
        seal(&mut p, &keys).unwrap();
        open(&mut p, &HashMap::new()).unwrap();
        assert_eq!(p["UserRegistered"]["email"], json!({"$personal": {"subject": "user:1", "erased": true}}));
        assert_eq!(p["UserRegistered"]["plan"], "free");
    }

    #[test]
    fn a_blob_moved_to_another_subject_does_not_open() {
        let key = DataKey::generate();
        let sealed = key.seal("user:1", b"\"x\"");
        assert!(key.open("user:2", &sealed).is_err());
    }

    #[test]
    fn wrapped_keys_unwrap_only_for_their_subject() {
        let (kek, _) = KeyEncryptionKey::generate();
        let key = DataKey::generate();
        let wrapped = kek.wrap("user:1", &key);
        assert_eq!(kek.unwrap("user:1", key.id, &wrapped).unwrap().id, key.id);
        assert!(kek.unwrap("user:2", key.id, &wrapped).is_err());
    }
}
