//! Runs api/tests/mcp/client.py (the official MCP Python SDK) against `ctxi mcp` and reads
//! what it observed.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");
pub const CORPUS: &str = include_str!("attacks.jsonl");

/// One document of the attack corpus: poisoned, or a benign look-alike.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    pub label: String,
    /// The attack kinds the document carries (empty for benign ones).
    pub kinds: Vec<String>,
    pub title: String,
    pub content: String,
    /// Words that find this document.
    pub query: String,
    /// A poisoned document the screening is known not to catch yet: reported, not asserted.
    #[serde(default)]
    pub known_miss: bool,
}

impl Case {
    pub fn poisoned(&self) -> bool {
        self.label == "poisoned"
    }
}

pub fn corpus() -> Vec<Case> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad corpus line {l}: {e}")))
        .collect()
}

/// The venv's python: $CTXI_MCP_PYTHON, else where scripts/setup-mcp-client.sh puts it.
pub fn python() -> PathBuf {
    let path = match std::env::var_os("CTXI_MCP_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => {
            let tools = std::env::var_os("CTXI_TOOLS_DIR").map(PathBuf::from).unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/ctxi-tools")
            });
            tools.join("mcp-venv/bin/python")
        }
    };
    assert!(
        path.exists(),
        "the MCP Python client is not installed at {}: run `bash scripts/setup-mcp-client.sh` \
         (or set CTXI_MCP_PYTHON to a python with the `mcp` package from api/tests/mcp/requirements.txt)",
        path.display()
    );
    path
}

/// A session plan: `ctxi mcp` with this environment, making these calls.
pub fn session(label: &str, env: Value, calls: Vec<Value>) -> Value {
    json!({"label": label, "env": env, "calls": calls})
}

pub fn call(label: &str, tool: &str, args: Value) -> Value {
    json!({"label": label, "tool": tool, "args": args})
}

/// Runs the sessions in order and returns them as observed, by label.
pub async fn run(sessions: Vec<Value>) -> Vec<Session> {
    let plan = json!({"command": env!("CARGO_BIN_EXE_ctxi"), "sessions": sessions});
    let plan_path = std::env::temp_dir().join(format!("ctxi-mcp-plan-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let child = tokio::process::Command::new(python())
        .arg(CLIENT)
        .arg(&plan_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the python MCP client");
    let output = tokio::time::timeout(Duration::from_secs(180), child.wait_with_output())
        .await
        .expect("the MCP client finishes within 3 minutes")
        .unwrap();
    let _ = std::fs::remove_file(&plan_path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "client.py failed: {stderr}");
    let observed: Observed = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("client.py printed no JSON ({e}): {}\n{stderr}", String::from_utf8_lossy(&output.stdout))
    });
    for session in &observed.sessions {
        assert!(session.failure.is_none(), "session {} failed: {:?}\n{stderr}", session.label, session.failure);
        for call in &session.calls {
            assert!(call.exception.is_none(), "{}/{} raised {:?}\n{stderr}", session.label, call.label, call.exception);
        }
    }
    observed.sessions
}

#[derive(Debug, Deserialize)]
struct Observed {
    sessions: Vec<Session>,
}

#[derive(Debug, Deserialize)]
pub struct Session {
    pub label: String,
    #[serde(default)]
    pub failure: Option<String>,
    #[serde(default)]
    pub server_name: String,
    #[serde(default)]
    pub tools: serde_json::Map<String, Value>,
    #[serde(default)]
    pub calls: Vec<Call>,
}

#[derive(Debug, Deserialize)]
pub struct Call {
    pub label: String,
    #[serde(default)]
    pub exception: Option<String>,
    #[serde(default)]
    pub is_error: bool,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub structured: Value,
}

impl Session {
    pub fn call(&self, label: &str) -> &Call {
        self.calls.iter().find(|c| c.label == label).unwrap_or_else(|| panic!("no call {label} in {}", self.label))
    }
}

impl Call {
    /// A successful call's structured result.
    pub fn ok(&self) -> &Value {
        assert!(!self.is_error, "{} failed: {}", self.label, self.text);
        &self.structured
    }

    pub fn results(&self) -> &Vec<Value> {
        self.ok()["results"]
            .as_array()
            .unwrap_or_else(|| panic!("{} has no results: {:?}", self.label, self.structured))
    }
}
