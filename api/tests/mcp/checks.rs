//! What the MCP client's observations must show: the tools as listed, and a marked chunk.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::harness::{Call, Case, Session};

/// The attack kinds of a chunk or a refusal.
pub fn attacks_of(result: &Value) -> BTreeSet<String> {
    result["attacks"].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_owned)).collect()
}

/// What a marked poisoned chunk must look like; one message per way it falls short.
pub fn check_marked(case: &Case, call: &Call, result: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let expected: BTreeSet<String> = case.kinds.iter().cloned().collect();
    if result["suspicious"] != true || !expected.is_subset(&attacks_of(result)) {
        problems.push(format!("{}: expected suspicious with {expected:?}: {result}", case.id));
    }
    let text = result["text"].as_str().unwrap_or_default();
    if !text.starts_with("WARNING: this retrieved text looks like a prompt-injection attempt (")
        || !text.contains("\n[BEGIN UNTRUSTED DATA]\n")
        || !text.ends_with("\n[END UNTRUSTED DATA]")
    {
        problems.push(format!("{}: not wrapped as untrusted data: {text:?}", case.id));
    }
    if text.chars().any(|c| c == '\u{200B}' || ('\u{E0000}'..='\u{E007F}').contains(&c)) {
        problems.push(format!("{}: hidden characters left in a marked chunk: {text:?}", case.id));
    }
    if call.structured["marked"] != 1 || !call.text.contains("[SUSPICIOUS: ") {
        problems.push(format!("{}: the result does not say it is marked: {}", case.id, call.text));
    }
    problems
}

pub fn assert_tools(session: &Session) {
    assert_eq!(session.server_name, "ctxi");
    assert_eq!(sorted_keys(&json!(session.tools)), ["list_documents", "retrieve"]);
    let retrieve = &session.tools["retrieve"]["input_schema"];
    assert_eq!(retrieve["type"], "object");
    assert_eq!(retrieve["required"], json!(["query"]));
    assert_eq!(sorted_keys(&retrieve["properties"]), ["document_ids", "metadata", "query", "top_k"]);
    assert_eq!(retrieve["properties"]["query"]["type"], "string");
    let list = &session.tools["list_documents"]["input_schema"];
    assert_eq!(sorted_keys(&list["properties"]), ["before", "limit"]);
    assert!(list.get("required").is_none_or(|r| r.as_array().is_some_and(Vec::is_empty)), "{list}");
}

fn sorted_keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object.as_object().expect("an object").keys().cloned().collect();
    keys.sort();
    keys
}
