//! End-to-end harness for the dashboard: a fresh database, the real `ctxi serve` serving the
//! built dashboard (`web-yew/dist`), and a headless Debian Chromium driven through chromedriver.
//!
//! Missing pieces (the dist folder, Chromium, chromedriver, PostgreSQL) fail the test with the
//! command that fixes them: these tests never skip.

// Test support fails loudly, with a message that says what to do.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod browser;
mod server;
mod steps;

use std::any::Any;
use std::path::PathBuf;

pub use browser::Browser;
pub use server::Server;
pub use steps::PASSWORD;

/// A running dashboard and a browser pointed at it. Call [`Dashboard::finish`] at the end of a
/// test, also when it panicked, so the browser and both processes stop.
#[derive(Debug)]
pub struct Dashboard {
    pub browser: Browser,
    pub server: Server,
    label: String,
}

impl Dashboard {
    /// Starts everything for one test; `label` names its database and failure artefacts.
    pub async fn start(label: &str) -> Self {
        let server = Server::start(label, artefact_dir().join(format!("{label}-server.log"))).await;
        let browser = Browser::start().await;
        Self { browser, server, label: label.to_owned() }
    }

    /// The absolute URL of a dashboard path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    /// Opens a dashboard path.
    pub async fn open(&self, path: &str) {
        self.browser.goto(&self.url(path)).await;
    }

    /// Saves a screenshot as `NAME.png` in the folder `CTXI_SCREENSHOTS` names, if set: for
    /// looking at the pages a test went through.
    pub async fn snapshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("CTXI_SCREENSHOTS") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("create the CTXI_SCREENSHOTS folder");
            let image = self.browser.client.screenshot().await.expect("take a screenshot");
            std::fs::write(dir.join(format!("{name}.png")), image).expect("write a screenshot");
        }
    }

    /// Stops the browser and the processes. If the test panicked, first saves a screenshot and
    /// the page's HTML next to the server's log (their paths are printed), then re-raises the
    /// panic.
    pub async fn finish(self, outcome: Result<(), Box<dyn Any + Send>>) {
        if outcome.is_err() {
            let dir = artefact_dir();
            let png = dir.join(format!("{}.png", self.label));
            let html = dir.join(format!("{}.html", self.label));
            self.browser.save_artefacts(&png, &html).await;
            eprintln!(
                "browser test {}: screenshot {}, page {}, server log {}",
                self.label,
                png.display(),
                html.display(),
                self.server.log.display()
            );
        }
        self.browser.close().await;
        self.server.stop().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Where server logs and failure screenshots go: `target/browser-tests/`.
fn artefact_dir() -> PathBuf {
    let dir = server::target_dir().join("browser-tests");
    std::fs::create_dir_all(&dir).expect("create target/browser-tests");
    dir
}
