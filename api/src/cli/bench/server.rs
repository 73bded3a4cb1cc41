//! A real `ctxi serve` for the HTTP benches: this same binary as a child process over the
//! bench's throwaway database, and a tenant with a project and an API key on it.
//!
//! A child process, not an in-process server, so the figures include what a client sees:
//! the socket, HTTP parsing, and a server runtime that does not share threads with the load
//! generator (it still shares the machine's cores).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use api_types::{
    CreateApiKeyRequest, CreateProjectRequest, IssuedApiKey, SignupRequest, SignupResponse, Written, CSRF_COOKIE,
    CSRF_HEADER, SESSION_COOKIE,
};
use eventstore::testing::TestDatabase;
use reqwest::header::SET_COOKIE;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

/// How long the server may take to migrate and bind.
const STARTUP: Duration = Duration::from_secs(120);

pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    /// Starts `ctxi serve` on `db` with the key-encryption key `kek` (base64).
    pub async fn start(db: &TestDatabase, kek: &str) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("finding this binary to start `ctxi serve`")?;
        Self::start_exe(&exe, db, kek).await
    }

    /// Starts `exe serve`: another build of `ctxi`, to compare with.
    pub async fn start_exe(exe: &Path, db: &TestDatabase, kek: &str) -> anyhow::Result<Server> {
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--web-dir", "/nonexistent"])
            .env("DATABASE_URL", db.url())
            .env("CTXI_KEK", kek)
            .env("CTXI_LOG_FORMAT", "text")
            // Warnings reach the bench's output; request logs would drown the figures, and so
            // would sqlx's line per slow statement and the retry warning per conflicting upload
            // (the bench counts those itself).
            .env("RUST_LOG", "warn,sqlx::query=error,commands::run=error")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting `ctxi serve`")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let first = tokio::time::timeout(STARTUP, BufReader::new(stdout).lines().next_line())
            .await
            .context("`ctxi serve` did not start in time")?
            .context("reading the server's first line")?
            .context("`ctxi serve` exited before listening")?;
        let address = first.rsplit("http://").next().unwrap_or_default().to_owned();
        Ok(Server { base: format!("http://{address}"), child })
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the server and waits for it, so its connections are gone before the database is
    /// dropped or reused.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("stopping `ctxi serve`")?;
        Ok(())
    }

    /// Signs up an enterprise tenant (no quota gets in the way), creates a project and an API
    /// key for it.
    pub async fn tenant(&self, http: &reqwest::Client) -> anyhow::Result<Tenant> {
        let (signed_up, dashboard) = self.owner(http, "owner@bench.example.com").await?;
        let project: Written =
            dashboard.post("/v1/projects", &CreateProjectRequest { name: "Handbook".into() }).await?;
        let key: IssuedApiKey = dashboard
            .post(&format!("/v1/projects/{}/api-keys", project.id), &CreateApiKeyRequest { name: "bench".into() })
            .await?;
        let secret = key.secret.context("the new key's secret")?;
        Ok(Tenant { tenant_id: signed_up.tenant_id, project_id: project.id, secret })
    }

    /// Signs up an enterprise tenant owned by `email` and returns the owner's dashboard session.
    pub async fn owner<'a>(
        &'a self,
        http: &'a reqwest::Client,
        email: &str,
    ) -> anyhow::Result<(SignupResponse, Dashboard<'a>)> {
        let signup = SignupRequest {
            tenant: "Bench Ltd".into(),
            email: email.into(),
            password: "correct horse battery staple".into(),
            plan: "enterprise".into(),
            name: None,
        };
        let response = http.post(format!("{}/v1/signup", self.base)).json(&signup).send().await?;
        let cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next().map(str::to_owned))
            .collect();
        let signed_up: SignupResponse = answer(response).await.context("signing up")?;
        let value = |name: &str| cookies.iter().find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_owned));
        let (Some(session), Some(csrf)) = (value(SESSION_COOKIE), value(CSRF_COOKIE)) else {
            bail!("signup set no session cookies");
        };
        let dashboard = Dashboard { base: &self.base, http, cookie: format!("{SESSION_COOKIE}={session}"), csrf };
        Ok((signed_up, dashboard))
    }
}

/// What the benches act as: an API key on one project.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub secret: String,
}

/// The signed-in owner, writing as the dashboard does (session cookie and CSRF header).
#[derive(Debug, Clone)]
pub struct Dashboard<'a> {
    base: &'a str,
    http: &'a reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Dashboard<'_> {
    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> anyhow::Result<T> {
        answer(self.send_post(path, body).await?).await.with_context(|| format!("POST {path}"))
    }

    /// A POST as the dashboard sends it, whatever the answer.
    pub async fn send_post<B: Serialize>(&self, path: &str, body: &B) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, format!("{}; {CSRF_COOKIE}={}", self.cookie, self.csrf))
            .header(CSRF_HEADER, &self.csrf)
            .json(body)
            .send()
            .await
    }

    /// A GET with the session cookie and no consistency header, whatever the answer.
    pub async fn get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.http.get(format!("{}{path}", self.base)).header(reqwest::header::COOKIE, &self.cookie).send().await
    }
}

/// The body of a 2xx answer; otherwise an error with the status and the problem text.
pub async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> anyhow::Result<T> {
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!("the server answered {status}: {text}");
    }
    response.json().await.context("decoding the answer")
}
