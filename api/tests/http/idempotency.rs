//! `Idempotency-Key` on POSTs: a retry gets the first answer and changes nothing.

use api_types::{ApiKeyList, ProblemType, ProjectList};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::Server;

#[tokio::test]
async fn retried_project_creation_creates_one_project() {
    let server = Server::start("http_idem_project").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let key = [("idempotency-key", "create-docs-1")];
    let first = owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Docs"})), &key).await;
    let retry = owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Docs"})), &key).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(first.body, retry.body, "same id and position");
    let listed: ProjectList = owner.get("/v1/projects").await.json();
    assert_eq!(listed.projects.len(), 1);

    let reused = owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Other"})), &key).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.problem().kind(), Some(ProblemType::IdempotencyKeyReused));
    let blank =
        owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Other"})), &[("idempotency-key", " ")]).await;
    assert_eq!(blank.problem().kind(), Some(ProblemType::Validation));
}

#[tokio::test]
async fn a_retried_key_issue_returns_the_key_without_its_secret() {
    let server = Server::start("http_idem_key").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let project = owner.project("Docs").await;
    let path = format!("/v1/projects/{project}/api-keys");
    let key = [("idempotency-key", "ci-key")];
    let first = owner.send(Method::POST, &path, Some(json!({"name": "CI"})), &key).await;
    let retry = owner.send(Method::POST, &path, Some(json!({"name": "CI"})), &key).await;
    assert_eq!(first.body["api_key"], retry.body["api_key"]);
    assert!(first.body["secret"].is_string());
    assert!(retry.body["secret"].is_null(), "{}", retry.body);
    let keys: ApiKeyList = owner.get(&path).await.json();
    assert_eq!(keys.api_keys.len(), 1);
}

#[tokio::test]
async fn a_retried_signup_answers_the_same_tenant() {
    let server = Server::start("http_idem_signup").await;
    let body =
        json!({"tenant": "Acme", "email": "ada@acme.example", "password": crate::support::PASSWORD, "plan": "free"});
    let key = [("idempotency-key", "signup-ada")];
    let first = server.client().send(Method::POST, "/v1/signup", Some(body.clone()), &key).await;
    let retry = server.client().send(Method::POST, "/v1/signup", Some(body), &key).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(first.body["tenant_id"], retry.body["tenant_id"]);
    assert_eq!(first.body["user_id"], retry.body["user_id"]);
    // Without the key, the same address is taken.
    let again = server.client().signup("Acme 2", "ada@acme.example", "free").await;
    assert_eq!(again.0, StatusCode::CONFLICT, "{}", again.1);
}
