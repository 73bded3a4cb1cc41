//! What tells a retried command from a different one that reused its idempotency key.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 over the command's name and the canonical JSON of its input. Inputs must not hold
/// secrets in clear: the fingerprint is stored, and a plain hash of a low-entropy value (a
/// password, an email) can be reversed by trying candidates.
pub(crate) fn fingerprint(command: &str, input: &Value) -> [u8; 32] {
    let mut text = String::new();
    canonical(input, &mut text);
    let mut hasher = Sha256::new();
    hasher.update(command.as_bytes());
    // The name cannot contain a NUL, so no two (name, input) pairs hash the same bytes.
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

/// JSON with object keys sorted and no whitespace, so equal inputs give equal bytes whatever
/// order their fields were built in.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_change_the_fingerprint() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "s"}});
        let mut text = String::new();
        canonical(&a, &mut text);
        assert_eq!(text, r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
    }

    #[test]
    fn name_and_input_both_count() {
        let input = json!({"name": "docs"});
        assert_ne!(fingerprint("create_project", &input), fingerprint("rename_project", &input));
        assert_ne!(fingerprint("create_project", &input), fingerprint("create_project", &json!({"name": "blog"})));
    }
}
