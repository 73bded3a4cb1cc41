//! The real `ctxi serve`, on a fresh database, serving the built dashboard.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// How long `ctxi serve` may take to migrate and start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Server {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    /// `ctxi serve`'s log (stderr), kept for failures.
    pub log: PathBuf,
    child: Child,
    // Kept open: `ctxi serve` prints a last line when it stops.
    _stdout: Lines<BufReader<ChildStdout>>,
    // Dropped last: dropping it drops the database.
    _database: TestDatabase,
}

impl Server {
    /// Starts `ctxi serve`; its log goes to `log`.
    pub async fn start(label: &str, log: PathBuf) -> Self {
        let web_dir = dist_dir();
        let binary = ctxi_binary();
        let database = TestDatabase::create(&format!("web_{label}")).await;
        let (_, kek) = KeyEncryptionKey::generate();
        let mut command = Command::new(binary);
        // Only these settings: a developer's own CTXI_* variables (a config file, a listen
        // address) must not leak into the test.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CTXI_") {
                command.env_remove(name);
            }
        }
        let log_file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database.url())
            .env("CTXI_KEK", kek)
            .env("CTXI_WEB_DIR", &web_dir)
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = tokio::time::timeout(START_TIMEOUT, stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("ctxi serve did not report its address within {START_TIMEOUT:?}"))
            .expect("read ctxi serve's output")
            .unwrap_or_else(|| panic!("ctxi serve exited before listening; see {}", log.display()));
        let address = first
            .split_once("listening on http://")
            .map(|(_, address)| address.trim().to_owned())
            .unwrap_or_else(|| panic!("unexpected first line from ctxi serve: {first:?}"));
        Self { base_url: format!("http://{address}"), log, child, _stdout: stdout, _database: database }
    }

    /// Stops `ctxi serve` (SIGTERM, so it shuts down as in production) and drops the database.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// The workspace's root folder.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The cargo target folder this test runs from (`target/debug/deps/THIS` → `target`).
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| workspace_root().join("target"))
}

/// The built dashboard, which must exist and be newer than its sources: testing an old build
/// would pass or fail for the wrong reasons.
fn dist_dir() -> PathBuf {
    let web = workspace_root().join("web-yew");
    let dist = web.join("dist");
    let wasm = dist.join("dashboard_bg.wasm");
    for file in [dist.join("index.html"), wasm.clone(), dist.join("dashboard.js")] {
        assert!(
            file.is_file(),
            "{} is missing: build the dashboard first with `bash scripts/build-web.sh`",
            file.display()
        );
    }
    let built = modified(&wasm);
    for sources in ["src", "static"] {
        if let Some((changed, _)) = newest_file(&web.join(sources)).filter(|(_, at)| *at > built) {
            panic!(
                "{} changed after web-yew/dist was built: rebuild with `bash scripts/build-web.sh`",
                changed.display()
            );
        }
    }
    dist
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("file modification time")
}

fn newest_file(dir: &Path) -> Option<(PathBuf, SystemTime)> {
    let mut newest: Option<(PathBuf, SystemTime)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let candidate = if path.is_dir() { newest_file(&path) } else { Some((path.clone(), modified(&path))) };
        if let Some(candidate) = candidate {
            if newest.as_ref().is_none_or(|(_, at)| candidate.1 > *at) {
                newest = Some(candidate);
            }
        }
    }
    newest
}

/// The `ctxi` binary. Cargo only hands `CARGO_BIN_EXE_*` to the binary's own package, so this
/// crate asks cargo for it and takes the path cargo reports: right for any target folder and
/// never stale. It asks with the command CI runs (`cargo test --workspace --locked`, here with
/// `--no-run`): the same features resolve to the same build, so after the outer `cargo test` this
/// is a no-op, where `cargo build -p api` alone resolves other features and rebuilds (6.5 min
/// on a cold CI run). `CTXI_BIN` overrides this with a prebuilt binary. Cargo releases its build
/// lock before running tests, so the nested command does not wait on the outer one.
fn ctxi_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("CTXI_BIN") {
            return PathBuf::from(path);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let mut build = std::process::Command::new(cargo);
        build.current_dir(workspace_root()).args([
            "test",
            "--workspace",
            "--locked",
            "--no-run",
            "--message-format=json",
        ]);
        if std::env::current_exe().is_ok_and(|exe| exe.components().any(|c| c.as_os_str() == "release")) {
            build.arg("--release");
        }
        let output = build.stderr(Stdio::inherit()).output().expect("run cargo test --workspace --no-run");
        assert!(output.status.success(), "cargo test --workspace --no-run failed");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            // The binary itself, not the test harness of its `main.rs` (also named ctxi).
            .filter(|message| message["target"]["name"] == "ctxi" && message["profile"]["test"] == false)
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no ctxi executable")
    })
}
