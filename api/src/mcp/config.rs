//! `ctxi mcp`'s configuration: where the REST API is, the project's key, the per-tool rate
//! limits. Read from the environment (an MCP client launches the server with an `env` map) and
//! parsed once at start, so a bad value stops the server before the client's first call.

use std::fmt;

use reqwest::Url;
use uuid::Uuid;

/// How `ctxi mcp` reaches the REST API. Every value can come from the environment; MCP clients
/// usually set them in the server's `env` block.
#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// The ContextInject API to call (plain http:// only; put a local TLS proxy in between for
    /// a remote https:// server).
    #[arg(long, env = "CTXI_API_URL", default_value = "http://127.0.0.1:8080")]
    api_url: String,
    /// The project's API key, sent as a bearer token. Prefer the environment to the flag, which
    /// other users can see in the process list. Never printed.
    #[arg(long, env = "CTXI_API_KEY", hide_env_values = true)]
    api_key: ApiKey,
    /// The project the key belongs to.
    #[arg(long, env = "CTXI_PROJECT_ID")]
    project_id: Uuid,
    /// Calls of the `retrieve` tool allowed per minute (a token bucket; bursts up to this many).
    #[arg(long, env = "CTXI_MCP_RETRIEVE_PER_MINUTE", default_value_t = 60)]
    retrieve_per_minute: u32,
    /// Calls of the `list_documents` tool allowed per minute.
    #[arg(long, env = "CTXI_MCP_LIST_PER_MINUTE", default_value_t = 30)]
    list_per_minute: u32,
}

/// An API key. Its `Debug` and `Display` hide the value, so it cannot leak into logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ApiKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim();
        if key.is_empty() {
            return Err("the API key is empty".to_owned());
        }
        Ok(ApiKey(key.to_owned()))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// A parsed, checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API's base URL, without a trailing slash.
    pub api_url: Url,
    pub api_key: ApiKey,
    pub project_id: Uuid,
    pub retrieve_per_minute: u32,
    pub list_per_minute: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("CTXI_API_URL {0:?} is not a URL")]
    BadUrl(String),
    #[error(
        "CTXI_API_URL {0:?} uses https://, which this build of `ctxi mcp` does not speak (it has no \
         TLS stack): point it at the API over plain http:// on a trusted network, or through a \
         local TLS-terminating proxy"
    )]
    HttpsUnsupported(String),
    #[error("CTXI_API_URL {0:?} must start with http://")]
    UnsupportedScheme(String),
    #[error("{0} must be at least 1")]
    ZeroRate(&'static str),
}

impl McpArgs {
    pub fn into_config(self) -> Result<Config, ConfigError> {
        Ok(Config {
            api_url: parse_url(&self.api_url)?,
            api_key: self.api_key,
            project_id: self.project_id,
            retrieve_per_minute: positive("CTXI_MCP_RETRIEVE_PER_MINUTE", self.retrieve_per_minute)?,
            list_per_minute: positive("CTXI_MCP_LIST_PER_MINUTE", self.list_per_minute)?,
        })
    }
}

fn parse_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|_| ConfigError::BadUrl(raw.to_owned()))?;
    match url.scheme() {
        "http" if url.host().is_some() => Ok(url),
        "http" => Err(ConfigError::BadUrl(raw.to_owned())),
        "https" => Err(ConfigError::HttpsUnsupported(raw.to_owned())),
        _ => Err(ConfigError::UnsupportedScheme(raw.to_owned())),
    }
}

fn positive(name: &'static str, value: u32) -> Result<u32, ConfigError> {
    if value == 0 {
        return Err(ConfigError::ZeroRate(name));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: McpArgs,
    }

    fn parse(argv: &[&str]) -> Result<Config, ConfigError> {
        let mut full =
            vec!["ctxi-mcp", "--api-key", "ck_secret", "--project-id", "0193e0d4-8d7a-7c41-9d35-3f2b1a000001"];
        full.extend_from_slice(argv);
        Cli::try_parse_from(full).map_err(|e| ConfigError::BadUrl(e.to_string()))?.args.into_config()
    }

    #[test]
    fn defaults_reach_a_local_api_with_the_documented_limits() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.api_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!((config.retrieve_per_minute, config.list_per_minute), (60, 30));
        assert_eq!(config.api_key.expose(), "ck_secret");
    }

    #[test]
    fn https_is_refused_with_a_message_that_says_why() {
        let err = parse(&["--api-url", "https://api.example.com"]).unwrap_err();
        assert_eq!(err, ConfigError::HttpsUnsupported("https://api.example.com".into()));
        assert!(err.to_string().contains("no TLS stack"), "{err}");
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        assert!(matches!(parse(&["--api-url", "ftp://x"]), Err(ConfigError::UnsupportedScheme(_))));
        assert!(matches!(parse(&["--api-url", "not a url"]), Err(ConfigError::BadUrl(_))));
    }

    #[test]
    fn a_zero_rate_is_refused() {
        let err = parse(&["--list-per-minute", "0"]).unwrap_err();
        assert_eq!(err, ConfigError::ZeroRate("CTXI_MCP_LIST_PER_MINUTE"));
    }

    #[test]
    fn the_key_never_prints() {
        let config = parse(&[]).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("ck_secret") && shown.contains("redacted"), "{shown}");
    }
}
