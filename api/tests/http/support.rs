//! A real `ctxi serve` on a free port over a fresh database, and a client that behaves like
//! the dashboard: it keeps cookies and echoes the CSRF token. It sends no consistency header:
//! every test that reads after a write checks that the server's default shows the write.

use std::process::Stdio;
use std::time::Duration;

use api_types::{Problem, CSRF_HEADER, POSITION_HEADER};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Server {
    /// Declared first so it is dropped (killed) first: dropping the database afterwards then
    /// ends no live server's connections, which it would log as errors.
    _child: Child,
    pub base: String,
    pub db: TestDatabase,
    /// The key-encryption key the server runs with, for CLI commands against its database.
    pub kek: String,
}

impl Server {
    pub async fn start(label: &str) -> Server {
        let (_, kek) = KeyEncryptionKey::generate();
        Self::start_on(TestDatabase::create(label).await, kek, &[]).await
    }

    /// `ctxi serve` over `db` with the key-encryption key `kek` and extra environment `env`.
    pub async fn start_on(db: TestDatabase, kek: String, env: &[(&str, &str)]) -> Server {
        let (child, base) = spawn(&db.url(), &kek, env).await;
        Server { base, db, kek, _child: child }
    }

    /// A second `ctxi serve` over the same database and key, as behind a load balancer.
    pub async fn another_instance(&self, env: &[(&str, &str)]) -> Instance {
        let (child, base) = spawn(&self.db.url(), &self.kek, env).await;
        Instance { base, _child: child }
    }

    /// Kills the server at once (SIGKILL): no shutdown, no flushing, like a crash.
    pub async fn kill(&mut self) {
        self._child.kill().await.expect("kill ctxi serve");
    }

    /// A client with its own cookie jar: a browser of its own.
    pub fn client(&self) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        Client { base: self.base.clone(), http, csrf: None, session: None, position: None, bearer: None }
    }

    /// A new tenant with a signed-in owner.
    pub async fn tenant(&self, name: &str, plan: &str) -> Client {
        let mut client = self.client();
        let email = format!("owner@{}.example.com", name.to_lowercase().replace(' ', "-"));
        let (status, body) = client.signup(name, &email, plan).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        client
    }
}

/// Another instance of the server; it stops when dropped.
pub struct Instance {
    _child: Child,
    pub base: String,
}

impl Instance {
    /// A client of this instance with its own cookie jar.
    pub fn client(&self) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        Client { base: self.base.clone(), http, csrf: None, session: None, position: None, bearer: None }
    }
}

/// Starts `ctxi serve` on a free port and returns it with its address.
async fn spawn(database_url: &str, kek: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctxi"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--web-dir", "/nonexistent"])
        .env("DATABASE_URL", database_url)
        .env("CTXI_KEK", kek)
        .env("CTXI_LOG_FORMAT", "text")
        // Warnings and errors reach the test's output; request logs would drown them.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start ctxi serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("ctxi serve starts in time")
        .unwrap()
        .expect("ctxi serve prints its address");
    let address = first.rsplit("http://").next().unwrap().to_owned();
    (child, format!("http://{address}"))
}

pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Response {
    pub fn problem(&self) -> Problem {
        assert_eq!(
            self.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let problem: Problem = serde_json::from_value(self.body.clone()).expect("a problem body");
        assert_eq!(problem.status, self.status.as_u16());
        problem
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub struct Client {
    pub base: String,
    http: reqwest::Client,
    /// The CSRF cookie's value, as the dashboard's script reads it.
    pub csrf: Option<String>,
    /// The session cookie's value.
    session: Option<String>,
    /// The last write's position (`X-Ctxi-Position`).
    pub position: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub fn with_bearer(&self, key: &str) -> Client {
        let mut c = Client {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            csrf: None,
            session: None,
            position: self.position.clone(),
            bearer: None,
        };
        c.bearer = Some(key.to_owned());
        c
    }

    /// Another browser holding this one's session cookies, in a jar of its own: what this one
    /// does to its cookies (signing out) leaves the copy's alone.
    pub fn clone_session(&self) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let url: reqwest::Url = self.base.parse().unwrap();
        for (name, value) in [("ctxi_session", &self.session), ("ctxi_csrf", &self.csrf)] {
            if let Some(value) = value {
                jar.add_cookie_str(&format!("{name}={value}; Path=/"), &url);
            }
        }
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder().cookie_provider(jar).build().unwrap(),
            csrf: self.csrf.clone(),
            session: self.session.clone(),
            position: None,
            bearer: self.bearer.clone(),
        }
    }

    pub async fn signup(&mut self, tenant: &str, email: &str, plan: &str) -> (StatusCode, Value) {
        let body = json!({"tenant": tenant, "email": email, "password": PASSWORD, "plan": plan});
        let r = self.send(Method::POST, "/v1/signup", Some(body), &[]).await;
        (r.status, r.body)
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        self.send(Method::POST, "/v1/login", Some(json!({"email": email, "password": password})), &[]).await
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn delete(&mut self, path: &str) -> Response {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// Sends like the dashboard: the CSRF token on writes.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        if method != Method::GET {
            if let Some(csrf) = &self.csrf {
                request = request.header(CSRF_HEADER, csrf);
            }
        }
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all("set-cookie") {
            let cookie = cookie.to_str().unwrap();
            if let Some(rest) = cookie.strip_prefix("ctxi_csrf=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.csrf = (!value.is_empty()).then(|| value.to_owned());
            }
            if let Some(rest) = cookie.strip_prefix("ctxi_session=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.session = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        if let Some(position) = headers.get(POSITION_HEADER) {
            self.position = Some(position.to_str().unwrap().to_owned());
        }
        let text = response.text().await.unwrap();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Response { status, headers, body }
    }

    /// Posts JSON with the bearer key; the status, or `None` once the server is gone.
    pub async fn http_post_status(&self, path: &str, body: Value) -> Option<StatusCode> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.ok()?;
        let status = response.status();
        // The body must arrive whole: a status line alone is not an answer the client got.
        response.bytes().await.ok()?;
        Some(status)
    }

    /// Uploads a multipart form and returns the answer.
    pub async fn upload_multipart(&mut self, project: &str, form: reqwest::multipart::Form) -> Response {
        let mut request = self.http.post(format!("{}/v1/projects/{project}/documents", self.base)).multipart(form);
        if let Some(csrf) = &self.csrf {
            request = request.header(CSRF_HEADER, csrf);
        }
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("the server answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        Response { status, headers, body }
    }

    /// Polls a document until ingestion has finished with it, and returns it.
    pub async fn indexed(&mut self, project: &str, document: &str) -> Value {
        for _ in 0..300 {
            let r = self.get(&format!("/v1/projects/{project}/documents/{document}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            if r.body["status"] != "pending" {
                return r.body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("document {document} was not processed within 30 s");
    }

    /// Creates a project and returns its id.
    pub async fn project(&mut self, name: &str) -> String {
        let r = self.post("/v1/projects", json!({"name": name})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// Issues a key for `project` and returns (key id, secret).
    pub async fn api_key(&mut self, project: &str, name: &str) -> (String, String) {
        let r = self.post(&format!("/v1/projects/{project}/api-keys"), json!({"name": name})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        (r.body["api_key"]["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
    }
}
