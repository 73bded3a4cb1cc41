//! `ctxi serve`'s settings, in layers where later wins: built-in defaults, an optional TOML
//! file, `CTXI_*` environment variables (and the conventional `DATABASE_URL`), then
//! command-line flags.
//!
//! The environment is passed in ([`load_from`]) rather than read inside, so tests need not
//! mutate the process's environment, which is shared by all threads.

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::error::{Kind, OneOf};
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::Deserialize;

/// Names the settings file when `--config` does not.
pub const CONFIG_ENV: &str = "CTXI_CONFIG";

/// Every setting's key, as in the TOML file; each is read from the environment variable
/// [`env_var`] names.
const KEYS: &[&str] = &[
    "listen",
    "database_url",
    "data_dir",
    "kek",
    "web_dir",
    "public_url",
    "session_ttl_hours",
    "log_format",
    "request_timeout_secs",
    "index_idle_minutes",
    "consistency_wait_ms",
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeSettings {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// PostgreSQL URL; without it, the embedded cluster in `data_dir` is used. A secret: it may
    /// hold a password.
    pub database_url: Option<Secret>,
    /// Where the embedded PostgreSQL keeps its cluster.
    pub data_dir: PathBuf,
    /// The key-encryption key, 32 bytes in base64.
    pub kek: Option<Secret>,
    /// The dashboard's built files.
    pub web_dir: PathBuf,
    /// The address users reach the server at, e.g. behind a TLS-terminating proxy.
    pub public_url: Option<String>,
    /// How long a dashboard session lasts.
    pub session_ttl_hours: u64,
    pub log_format: LogFormat,
    /// How long the server works on a request before giving up on it.
    pub request_timeout_secs: u64,
    /// How long a project's in-memory retrieval indexes (words, vectors) are kept unused
    /// before they are dropped; the next query reads them again.
    pub index_idle_minutes: u64,
    /// How long a write waits for the read models to include it before it answers 202 (recorded,
    /// not yet visible), and how long a read waits for its caller's earlier writes before it
    /// answers 503 `consistency-timeout`.
    pub consistency_wait_ms: u64,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            database_url: None,
            data_dir: PathBuf::from("data"),
            kek: None,
            web_dir: PathBuf::from("web-yew/dist"),
            public_url: None,
            session_ttl_hours: 24 * 7,
            log_format: LogFormat::Json,
            request_timeout_secs: 30,
            index_idle_minutes: 30,
            consistency_wait_ms: 5_000,
        }
    }
}

impl ServeSettings {
    /// Cookies are marked `Secure` when users reach the server over HTTPS; over plain HTTP
    /// (local development) browsers would drop them.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")))
    }
}

/// How the server writes its logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object a line, for log collectors.
    #[default]
    Json,
    /// Human-readable lines.
    Text,
}

impl LogFormat {
    fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Text => "text",
        }
    }
}

/// A value that must never reach a log: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Values given as command-line flags; `None` leaves the setting to the other layers.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub database_url: Option<Secret>,
    pub data_dir: Option<PathBuf>,
    pub kek: Option<Secret>,
    pub web_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub session_ttl_hours: Option<u64>,
    pub log_format: Option<LogFormat>,
    pub request_timeout_secs: Option<u64>,
    pub index_idle_minutes: Option<u64>,
    pub consistency_wait_ms: Option<u64>,
}

/// Why the settings could not be loaded; the message names each bad key and where it came from.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the configuration file {} does not exist", .0.display())]
    MissingFile(PathBuf),
    #[error("invalid configuration: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// Loads the settings from the process's environment; `config_file` is the `--config` flag.
pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> Result<ServeSettings, SettingsError> {
    // `std::env::vars` would panic on a variable that is not Unicode, even an unrelated one.
    let env = std::env::vars_os().map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()));
    load_from(config_file, env, overrides)
}

/// Loads the settings from `env` instead of the process's environment. The file is
/// `config_file`, else the one `CTXI_CONFIG` names, else none.
pub fn load_from(
    config_file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    overrides: &Overrides,
) -> Result<ServeSettings, SettingsError> {
    let env = Environment::new(env);
    let config_file = config_file.map(Path::to_owned).or_else(|| env.get(CONFIG_ENV).map(PathBuf::from));
    let mut figment = Figment::new();
    if let Some(path) = config_file {
        // figment reads a missing file as empty; a file the operator named must exist.
        if !path.exists() {
            return Err(SettingsError::MissingFile(path));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    // Strings from the environment become numbers where a number is expected: extract_lossy.
    figment
        .merge(env)
        .merge(overrides)
        .extract_lossy()
        .map_err(|e| SettingsError::Invalid(e.into_iter().map(|e| describe(&e)).collect()))
}

/// One problem in a sentence: the key, where its value came from, and what is wrong.
fn describe(error: &figment::Error) -> String {
    let origin = error.metadata.as_ref().map(|md| match (&md.source, &error.profile) {
        (Some(source), _) => format!("{} {source}", md.name),
        (None, Some(profile)) if !error.path.is_empty() => {
            format!("{} {}", md.name, md.interpolate(profile, &error.path))
        }
        (None, _) => md.name.to_string(),
    });
    let problem = match &error.kind {
        // figment's own wording quotes the list of choices twice.
        Kind::UnknownField(_, expected) => format!("no such setting; the settings are {}", OneOf(expected)),
        Kind::UnknownVariant(found, expected) => format!("`{found}` is not {}", OneOf(expected)),
        kind => kind.to_string(),
    };
    match (error.path.join("."), origin) {
        (key, Some(origin)) if !key.is_empty() => format!("`{key}` from {origin}: {problem}"),
        (key, None) if !key.is_empty() => format!("`{key}`: {problem}"),
        (_, Some(origin)) => format!("{origin}: {problem}"),
        (_, None) => problem,
    }
}

/// The environment variable a setting is read from.
fn env_var(key: &str) -> String {
    match key {
        "database_url" => "DATABASE_URL".to_owned(),
        _ => format!("CTXI_{}", key.to_ascii_uppercase()),
    }
}

/// The environment as a figment layer. Only the settings' own variables are read, so unrelated
/// `CTXI_*` variables are no error, while the file still rejects unknown keys (typos).
struct Environment(HashMap<String, String>);

impl Environment {
    /// Empty values count as unset, as `VAR=` in a compose file usually means.
    fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(vars.into_iter().filter(|(_, value)| !value.is_empty()).collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable")
            .interpolater(|_, keys| keys.first().map_or_else(String::new, |k| env_var(k)))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let dict = KEYS
            .iter()
            .filter_map(|key| self.get(&env_var(key)).map(|value| (key.to_string(), Value::from(value))))
            .collect();
        Ok(Profile::Default.collect(dict))
    }
}

impl Provider for &Overrides {
    fn metadata(&self) -> Metadata {
        Metadata::named("command-line flag")
            .interpolater(|_, keys| keys.first().map_or_else(String::new, |k| format!("--{}", k.replace('_', "-"))))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        // Destructured so that a new flag cannot be forgotten here.
        let Overrides {
            listen,
            database_url,
            data_dir,
            kek,
            web_dir,
            public_url,
            session_ttl_hours,
            log_format,
            request_timeout_secs,
            index_idle_minutes,
            consistency_wait_ms,
        } = self;
        let path = |p: &PathBuf| Value::from(p.to_string_lossy().into_owned());
        let secret = |s: &Secret| Value::from(s.expose());
        let values = [
            ("listen", listen.map(|a| Value::from(a.to_string()))),
            ("database_url", database_url.as_ref().map(secret)),
            ("data_dir", data_dir.as_ref().map(path)),
            ("kek", kek.as_ref().map(secret)),
            ("web_dir", web_dir.as_ref().map(path)),
            ("public_url", public_url.as_deref().map(Value::from)),
            ("session_ttl_hours", session_ttl_hours.map(Value::from)),
            ("log_format", log_format.map(|f| Value::from(f.as_str()))),
            ("request_timeout_secs", request_timeout_secs.map(Value::from)),
            ("index_idle_minutes", index_idle_minutes.map(Value::from)),
            ("consistency_wait_ms", consistency_wait_ms.map(Value::from)),
        ];
        let dict = values.into_iter().filter_map(|(key, value)| Some((key.to_owned(), value?))).collect();
        Ok(Profile::Default.collect(dict))
    }
}
