//! The `/v1` API client: same origin, JSON, the session cookie and the CSRF header. A write
//! answers once the server's read models include it, so reads need nothing more to see it.
//! Accounts and projects are here; other resources have a file each under `api/`.

mod documents;
mod usage;

pub use documents::{delete_document, documents, retrieve, upload_form, upload_text, DOCUMENTS_PAGE};
pub use usage::usage;

use api_types::{
    ApiKeyList, CreateApiKeyRequest, CreateProjectRequest, IssuedApiKey, LoginRequest, Me, PlanList, Problem,
    ProblemType, ProjectInfo, ProjectList, SignupRequest, SignupResponse, Written, CSRF_HEADER,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;
use web_sys::RequestCredentials;

use crate::cookies::csrf_token;

/// Why a call failed, with a message for the page.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem document.
    Problem(Problem),
    /// The server answered an error without a readable problem document.
    Status(u16),
    /// No answer (offline, server down) or an unreadable one.
    Network(String),
}

impl ApiError {
    /// One readable line, shown next to the form or list that caused it.
    pub fn message(&self) -> String {
        match self {
            Self::Problem(problem) => problem.message(),
            Self::Status(status) => format!("The server answered with an error ({status}). Please try again."),
            Self::Network(reason) => format!("Could not reach ContextInject: {reason}"),
        }
    }

    /// The session is missing or expired: the page should send the user to the login page.
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Self::Problem(problem) => problem.status == 401 || problem.kind() == Some(ProblemType::Unauthorized),
            Self::Status(status) => *status == 401,
            Self::Network(_) => false,
        }
    }
}

impl From<gloo_net::Error> for ApiError {
    fn from(error: gloo_net::Error) -> Self {
        Self::Network(error.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub async fn plans() -> ApiResult<PlanList> {
    receive(read("/v1/plans").build()).await
}

pub async fn signup(body: &SignupRequest) -> ApiResult<SignupResponse> {
    receive(Request::post("/v1/signup").credentials(RequestCredentials::SameOrigin).json(body)).await
}

pub async fn login(body: &LoginRequest) -> ApiResult<Me> {
    receive(Request::post("/v1/login").credentials(RequestCredentials::SameOrigin).json(body)).await
}

pub async fn logout() -> ApiResult<()> {
    let response = write(Request::post("/v1/logout")).build()?.send().await?;
    if response.ok() {
        Ok(())
    } else {
        Err(problem(response).await)
    }
}

pub async fn me() -> ApiResult<Me> {
    receive(read("/v1/me").build()).await
}

pub async fn projects() -> ApiResult<ProjectList> {
    receive(read("/v1/projects").build()).await
}

pub async fn create_project(body: &CreateProjectRequest) -> ApiResult<Written> {
    send_json(Request::post("/v1/projects"), body).await
}

pub async fn project(id: Uuid) -> ApiResult<ProjectInfo> {
    receive(read(&format!("/v1/projects/{id}")).build()).await
}

pub async fn api_keys(project: Uuid) -> ApiResult<ApiKeyList> {
    receive(read(&format!("/v1/projects/{project}/api-keys")).build()).await
}

pub async fn create_api_key(project: Uuid, body: &CreateApiKeyRequest) -> ApiResult<IssuedApiKey> {
    send_json(Request::post(&format!("/v1/projects/{project}/api-keys")), body).await
}

pub async fn revoke_api_key(project: Uuid, key: Uuid) -> ApiResult<Written> {
    receive(write(Request::delete(&format!("/v1/projects/{project}/api-keys/{key}"))).build()).await
}

/// A GET with the session cookie.
fn read(path: &str) -> RequestBuilder {
    Request::get(path).credentials(RequestCredentials::SameOrigin)
}

/// A cookie-authenticated write: it carries the CSRF cookie's value in the CSRF header. Without
/// the cookie the header is left out, and the server's 403 problem is shown.
fn write(request: RequestBuilder) -> RequestBuilder {
    let request = request.credentials(RequestCredentials::SameOrigin);
    match csrf_token() {
        Some(token) => request.header(CSRF_HEADER, &token),
        None => request,
    }
}

async fn send_json<B: Serialize, T: DeserializeOwned>(request: RequestBuilder, body: &B) -> ApiResult<T> {
    receive(write(request).json(body)).await
}

/// Sends a built request and reads a JSON body, or the problem on an error status.
async fn receive<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> ApiResult<T> {
    let response = request?.send().await?;
    if !response.ok() {
        return Err(problem(response).await);
    }
    Ok(response.json::<T>().await?)
}

async fn problem(response: Response) -> ApiError {
    match response.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Status(response.status()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, slug: &str, detail: Option<&str>) -> Problem {
        Problem {
            kind: format!("https://contextinject.dev/problems/{slug}"),
            title: "Title".into(),
            status,
            detail: detail.map(str::to_owned),
            instance: None,
            errors: vec![],
            resource: None,
            limit: None,
            plan: None,
            resets_at: None,
        }
    }

    #[test]
    fn messages_are_readable_text() {
        let bad_login = ApiError::Problem(problem(401, "unauthorized", Some("Wrong email or password.")));
        assert_eq!(bad_login.message(), "Wrong email or password.");
        assert!(ApiError::Status(502).message().contains("502"));
        assert!(ApiError::Network("offline".into()).message().contains("offline"));
    }

    #[test]
    fn only_401s_send_the_user_to_the_login_page() {
        assert!(ApiError::Problem(problem(401, "unauthorized", None)).is_unauthorized());
        assert!(ApiError::Status(401).is_unauthorized());
        assert!(!ApiError::Problem(problem(403, "csrf", None)).is_unauthorized());
        assert!(!ApiError::Network("offline".into()).is_unauthorized());
    }
}
