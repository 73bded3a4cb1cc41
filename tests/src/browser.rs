//! Headless Debian Chromium through chromedriver, with waiting helpers. Every wait is bounded
//! and fails with what it waited for; nothing sleeps a fixed time.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::Instant;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a page may take to show what a step waits for (wasm start, argon2 on signup, a
/// read waiting for the projectors), with room for a busy two-core machine.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a wait re-checks.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session in a fresh headless profile.
    pub async fn start() -> Self {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(Path::new(binary).is_file(), "{binary} is missing: install it with `bash scripts/setup-web.sh`");
        }
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let mut lines = BufReader::new(driver.stdout.take().expect("piped stdout")).lines();
        let ready = async {
            while let Some(line) = lines.next_line().await.expect("read chromedriver's output") {
                if line.contains("started successfully") {
                    return;
                }
            }
            panic!("chromedriver exited before it was ready");
        };
        tokio::time::timeout(WAIT, ready).await.expect("chromedriver did not start in time");

        let profile = std::env::temp_dir().join(format!("ctxi-chromium-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile).expect("create a Chromium profile folder");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    // Without these Chromium calls home, which this closed network refuses.
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!("a JSON object literal") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a Chromium session through chromedriver");
        Self { client, driver, profile }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path of the current page, e.g. `/projects`.
    pub async fn path(&self) -> String {
        self.client.current_url().await.expect("current URL").path().to_owned()
    }

    /// Waits for an element matching the CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element matches `{css}` after {WAIT:?} {}: {e}", self.whereabouts().await),
        }
    }

    /// Waits until `check` holds, re-checking every 100 ms, for at most [`WAIT`].
    pub async fn wait_until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = Instant::now() + WAIT;
        while !check().await {
            if Instant::now() >= deadline {
                panic!("timed out after {WAIT:?} waiting for {what} {}", self.whereabouts().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until an element matches `css` and its text satisfies `check`; returns the text.
    pub async fn wait_for_text(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let seen = self.text_of(css).await;
            match seen {
                Some(text) if check(&text) => return text,
                _ if Instant::now() >= deadline => panic!(
                    "timed out after {WAIT:?} waiting for `{css}` to show {what}; it shows {seen:?} {}",
                    self.whereabouts().await
                ),
                _ => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// For failure messages: the page's path and the errors it shows (`role="alert"`), which
    /// usually say why the awaited element never came.
    async fn whereabouts(&self) -> String {
        let path = self.path().await;
        let mut alerts = Vec::new();
        for alert in self.client.find_all(Locator::Css("[role=alert]")).await.unwrap_or_default() {
            alerts.push(alert.text().await.unwrap_or_default());
        }
        format!("(page {path}, errors shown: {alerts:?})")
    }

    /// The text of the first element matching `css`, if there is one now.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// Whether an element matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map_or(0, |found| found.len())
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        self.wait_until(&format!("`{css}` to disappear"), || async { !self.exists(css).await }).await;
    }

    /// Types into an input after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap_or_else(|e| panic!("clear `{css}`: {e}"));
        input.send_keys(text).await.unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Resizes the window, and waits until the page has the new width.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resize the window");
        self.wait_until(&format!("a {width}px wide window"), || async {
            self.eval("return window.innerWidth").await.as_u64() == Some(u64::from(width))
        })
        .await;
    }

    /// Whether the page is wider than the window (it then scrolls sideways).
    pub async fn overflows_horizontally(&self) -> bool {
        self.eval("return document.documentElement.scrollWidth > window.innerWidth").await == Value::Bool(true)
    }

    /// The elements that stick out past the window's right edge, innermost first, as
    /// `tag#id.class` strings with their right edge: what a failed width check names.
    pub async fn overflowing_elements(&self) -> Value {
        const SCRIPT: &str = r##"
            const out = (e) => e.getBoundingClientRect().right > window.innerWidth + 0.5;
            const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
            return [...document.querySelectorAll("body *")]
                .filter((e) => out(e) && ![...e.children].some(out))
                .slice(0, 10)
                .map((e) => `${name(e)} right=${Math.round(e.getBoundingClientRect().right)}`);
        "##;
        self.eval(SCRIPT).await
    }

    /// Runs `fetch(path, init)` in the page (same origin, with its cookies) and returns
    /// `{status, contentType, body}`, the body as text.
    pub async fn fetch(&self, path: &str, init: Value) -> Value {
        const SCRIPT: &str = r#"
            const [path, init, done] = arguments;
            fetch(path, init)
                .then(async (r) => done({ status: r.status, contentType: r.headers.get("content-type"), body: await r.text() }))
                .catch((e) => done({ error: String(e) }));
        "#;
        let answer = self
            .client
            .execute_async(SCRIPT, vec![json!(path), init])
            .await
            .unwrap_or_else(|e| panic!("fetch {path}: {e}"));
        assert!(answer.get("error").is_none(), "fetch {path} failed in the page: {answer}");
        answer
    }

    /// Runs a synchronous script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("run `{script}`: {e}"))
    }

    pub(crate) async fn save_artefacts(&self, png: &Path, html: &Path) {
        if let Ok(image) = self.client.screenshot().await {
            let _ = std::fs::write(png, image);
        }
        if let Ok(source) = self.client.source().await {
            let _ = std::fs::write(html, source);
        }
    }

    /// Ends the session (chromedriver then stops Chromium), stops chromedriver, and removes
    /// the profile folder.
    pub(crate) async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A port that was free a moment ago: chromedriver cannot pick its own and report it.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
