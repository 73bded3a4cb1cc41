//! `ctxi serve` starts, reports ready, and stops cleanly on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;

/// A plain HTTP/1.1 GET: the status line and the body.
async fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).await.expect("connect to ctxi serve");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

#[tokio::test]
async fn serve_reports_ready_and_stops_on_sigterm() {
    let db = TestDatabase::create("serve").await;
    let (_, kek) = KeyEncryptionKey::generate();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxi"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", db.url())
        .env("CTXI_KEK", kek)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start ctxi serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.unwrap().unwrap().unwrap();
    let address = first.rsplit("http://").next().unwrap().to_owned();

    assert_eq!(get(&address, "/healthz").await, ("HTTP/1.1 200 OK".to_owned(), "ok".to_owned()));
    let (status, body) = get(&address, "/readyz").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        serde_json::json!({"database": true, "projectors": true})
    );

    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("stops in time").unwrap();
    assert!(exit.success(), "{exit:?}");
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("stopped"));
}

/// Runs `ctxi serve` to completion with `env`, returning its exit code and stderr.
async fn serve_fails_with(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctxi"));
    command.args(["serve", "--listen", "127.0.0.1:0"]).env_remove("DATABASE_URL").env_remove("CTXI_LISTEN");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(60), command.output()).await.expect("exits in time").unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test]
async fn a_bad_setting_is_named_and_no_secret_is_printed() {
    let (_, kek) = KeyEncryptionKey::generate();
    let (code, stderr) = serve_fails_with(&[
        ("CTXI_KEK", &kek),
        ("CTXI_SESSION_TTL_HOURS", "a week"),
        ("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:1/none"),
    ])
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("session_ttl_hours") && stderr.contains("CTXI_SESSION_TTL_HOURS"), "{stderr}");
    assert!(!stderr.contains(&kek) && !stderr.contains("hunter2"), "a secret was printed: {stderr}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error() {
    let (_, kek) = KeyEncryptionKey::generate();
    let (code, stderr) =
        serve_fails_with(&[("CTXI_KEK", &kek), ("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:1/none")]).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot connect to PostgreSQL"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn a_missing_kek_says_how_to_make_one() {
    let (code, stderr) = serve_fails_with(&[("CTXI_KEK", "")]).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("CTXI_KEK"), "{stderr}");
}
