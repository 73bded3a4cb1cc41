//! Without DATABASE_URL, `ctxi` runs a private PostgreSQL cluster in its data folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A short path under /tmp (Unix socket paths are limited), removed afterwards.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("ctxi-emb-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ctxi(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctxi"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run ctxi")
}

#[test]
fn commands_without_a_database_url_use_a_private_cluster_that_keeps_its_data() {
    let data = DataDir::new();
    let out = ctxi(&data.0, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
    assert!(data.0.join("postgres/PG_VERSION").exists(), "the cluster lives in the data folder");
    assert!(!data.0.join("postgres/postmaster.pid").exists(), "the server this command started has stopped");

    // A second command finds the migrated database again.
    let out = ctxi(&data.0, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verified 0 events"), "{stdout}");
    let status = ctxi(&data.0, &["projections", "status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("tenants"), "read models were created by migrate");
}
