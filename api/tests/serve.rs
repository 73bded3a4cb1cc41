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
