//! Tenants never see each other: another tenant's things read as not found, never as
//! forbidden, and never with their data.

use api_types::{ProblemType, ProjectList};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::Server;

#[tokio::test]
async fn another_tenants_projects_and_keys_are_not_found() {
    let server = Server::start("http_isolation").await;
    let mut acme = server.tenant("Acme", "pro").await;
    let mut globex = server.tenant("Globex", "pro").await;
    let acme_project = acme.project("Acme docs").await;
    let (acme_key, acme_secret) = acme.api_key(&acme_project, "CI").await;
    let globex_project = globex.project("Globex docs").await;

    let listed: ProjectList = globex.get("/v1/projects").await.json();
    assert_eq!(listed.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Globex docs"]);

    for path in [format!("/v1/projects/{acme_project}"), format!("/v1/projects/{acme_project}/api-keys")] {
        let r = globex.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.problem().kind(), Some(ProblemType::NotFound));
        assert!(!r.body.to_string().contains("Acme"), "{}", r.body);
    }
    let issue = globex.post(&format!("/v1/projects/{acme_project}/api-keys"), json!({"name": "sneaky"})).await;
    assert_eq!(issue.problem().kind(), Some(ProblemType::NotFound));
    let revoke = globex.delete(&format!("/v1/projects/{acme_project}/api-keys/{acme_key}")).await;
    assert_eq!(revoke.problem().kind(), Some(ProblemType::NotFound));
    // Acme's key through Globex's project path: still not found.
    let cross = globex.delete(&format!("/v1/projects/{globex_project}/api-keys/{acme_key}")).await;
    assert_eq!(cross.problem().kind(), Some(ProblemType::NotFound));

    // Acme's key still works, and sees only its own project.
    let mut machine = acme.with_bearer(&acme_secret);
    assert_eq!(machine.get(&format!("/v1/projects/{globex_project}")).await.status, StatusCode::NOT_FOUND);
    let seen: ProjectList = machine.get("/v1/projects").await.json();
    assert_eq!(seen.projects.iter().map(|p| p.id.to_string()).collect::<Vec<_>>(), [acme_project]);
}

#[tokio::test]
async fn a_key_sees_only_its_own_project_within_its_tenant() {
    let server = Server::start("http_key_scope").await;
    let mut acme = server.tenant("Acme", "pro").await;
    let first = acme.project("First").await;
    let second = acme.project("Second").await;
    let (_, secret) = acme.api_key(&first, "CI").await;
    let mut machine = acme.with_bearer(&secret);
    assert_eq!(machine.get(&format!("/v1/projects/{second}")).await.problem().kind(), Some(ProblemType::NotFound));
    assert_eq!(machine.get(&format!("/v1/projects/{first}")).await.status, StatusCode::OK);
}
