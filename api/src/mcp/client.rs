//! The REST API as `ctxi mcp` calls it: with the project's API key, so authentication, quotas
//! and metering are exactly those of any other API client.

use std::time::Duration;

use api_types::{DocumentList, Problem, ProjectSettingsBody, RetrieveRequest, RetrieveResponse};
use reqwest::{RequestBuilder, StatusCode, Url};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::config::{ApiKey, Config};

/// An agent waits on every call; a hung API must not hang it forever.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    /// `…/v1/projects/{id}/`, so that every path below is relative to the project.
    project: Url,
    key: ApiKey,
}

/// Why a call to the API did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    /// The API answered with a problem (RFC 9457).
    #[error("{}", describe_problem(*.status, .problem))]
    Problem { status: StatusCode, problem: Box<Problem> },
    /// The API answered something that is neither the expected body nor a problem.
    #[error("the ContextInject API answered {status} with an unexpected body")]
    Unexpected { status: StatusCode },
    #[error("could not reach the ContextInject API: {0}")]
    Unreachable(String),
}

impl RestClient {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("ctxi-mcp/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut project = config.api_url.clone();
        project.set_path(&format!(
            "{}/v1/projects/{}/",
            config.api_url.path().trim_end_matches('/'),
            config.project_id
        ));
        Ok(RestClient { http, project, key: config.api_key.clone() })
    }

    pub async fn retrieve(&self, request: &RetrieveRequest) -> Result<RetrieveResponse, ApiFailure> {
        self.send(self.http.post(self.url("retrieve")?).json(request)).await
    }

    /// One page of documents, newest first.
    pub async fn documents(&self, limit: u32, before: Option<Uuid>) -> Result<DocumentList, ApiFailure> {
        let mut url = self.url("documents")?;
        url.query_pairs_mut().append_pair("limit", &limit.to_string());
        if let Some(before) = before {
            url.query_pairs_mut().append_pair("before", &before.to_string());
        }
        self.send(self.http.get(url)).await
    }

    pub async fn settings(&self) -> Result<ProjectSettingsBody, ApiFailure> {
        self.send(self.http.get(self.url("settings")?)).await
    }

    fn url(&self, path: &str) -> Result<Url, ApiFailure> {
        self.project.join(path).map_err(|e| ApiFailure::Unreachable(format!("bad URL for {path}: {e}")))
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, ApiFailure> {
        let response = request
            .bearer_auth(self.key.expose())
            .send()
            .await
            .map_err(|e| ApiFailure::Unreachable(without_url(&e)))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| ApiFailure::Unreachable(without_url(&e)))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|_| ApiFailure::Unexpected { status });
        }
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(problem) => Err(ApiFailure::Problem { status, problem: Box::new(problem) }),
            Err(_) => Err(ApiFailure::Unexpected { status }),
        }
    }
}

/// reqwest's messages repeat the URL; the cause is what the agent's user needs.
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    match std::error::Error::source(error) {
        Some(source) => format!("{kind}: {source}"),
        None => kind.to_owned(),
    }
}

/// One line for the agent (and its user) saying what went wrong and what to do about it.
/// The problem's `detail` is carried as the API wrote it; nothing secret is in it.
pub fn describe_problem(status: StatusCode, problem: &Problem) -> String {
    let message = problem.message();
    match status {
        StatusCode::UNAUTHORIZED => {
            format!("the API key was rejected (401): {message}; check CTXI_API_KEY")
        }
        StatusCode::FORBIDDEN => format!("the API key may not do this (403): {message}"),
        StatusCode::NOT_FOUND => {
            format!("not found (404): {message}; check CTXI_PROJECT_ID names the key's project")
        }
        StatusCode::TOO_MANY_REQUESTS => match &problem.resets_at {
            Some(resets_at) => format!("quota used up (429): {message}; it resets at {resets_at}"),
            None => format!("too many requests (429): {message}"),
        },
        _ => format!("{} ({}): {message}", problem.title, status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, detail: &str) -> Problem {
        Problem {
            kind: format!("https://contextinject.dev/problems/{status}"),
            title: "Something".into(),
            status,
            detail: Some(detail.into()),
            instance: None,
            errors: vec![],
            resource: None,
            limit: None,
            plan: None,
            resets_at: None,
        }
    }

    #[test]
    fn a_rejected_key_says_which_setting_to_check() {
        let text = describe_problem(StatusCode::UNAUTHORIZED, &problem(401, "The API key is not valid"));
        assert_eq!(text, "the API key was rejected (401): The API key is not valid; check CTXI_API_KEY");
    }

    #[test]
    fn a_used_up_quota_says_when_it_resets() {
        let mut p = problem(429, "The free plan allows 5000 retrievals a month");
        p.resets_at = Some("2026-12-01T00:00:00Z".into());
        let text = describe_problem(StatusCode::TOO_MANY_REQUESTS, &p);
        assert_eq!(
            text,
            "quota used up (429): The free plan allows 5000 retrievals a month; it resets at 2026-12-01T00:00:00Z"
        );
    }

    #[test]
    fn a_missing_project_and_other_problems_carry_the_detail() {
        let text = describe_problem(StatusCode::NOT_FOUND, &problem(404, "No such project"));
        assert!(text.starts_with("not found (404): No such project;"), "{text}");
        let text = describe_problem(StatusCode::BAD_REQUEST, &problem(400, "query: must not be empty"));
        assert_eq!(text, "Something (400): query: must not be empty");
    }

    #[test]
    fn the_project_url_keeps_a_path_prefix() {
        let config = Config {
            api_url: Url::parse("http://127.0.0.1:9/ctx/").unwrap(),
            api_key: "k".parse().unwrap(),
            project_id: Uuid::nil(),
            retrieve_per_minute: 1,
            list_per_minute: 1,
        };
        let client = RestClient::new(&config).unwrap();
        assert_eq!(
            client.url("retrieve").unwrap().as_str(),
            "http://127.0.0.1:9/ctx/v1/projects/00000000-0000-0000-0000-000000000000/retrieve"
        );
    }
}
