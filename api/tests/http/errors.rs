//! Bad input gets a clear 4xx problem and changes nothing.

use api_types::{ProblemType, ProjectList};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Server, PASSWORD};

#[tokio::test]
async fn invalid_signups_name_the_field() {
    let server = Server::start("http_bad_signup").await;
    let cases = [
        (json!({"tenant": "Acme", "email": "not-an-address", "password": PASSWORD, "plan": "free"}), "email"),
        (json!({"tenant": "Acme", "email": "a@acme.example", "password": PASSWORD, "plan": "gold"}), "plan"),
        (json!({"tenant": "   ", "email": "a@acme.example", "password": PASSWORD, "plan": "free"}), "tenant"),
        (json!({"tenant": "Acme", "email": "a@acme.example", "password": "short", "plan": "free"}), "password"),
    ];
    for (body, field) in cases {
        let r = server.client().send(Method::POST, "/v1/signup", Some(body.clone()), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        let problem = r.problem();
        assert_eq!(problem.kind(), Some(ProblemType::Validation));
        assert_eq!(problem.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), [field], "{}", r.body);
    }
    // None of them signed anyone up: the address is still free.
    let (status, body) = server.client().signup("Acme", "a@acme.example", "free").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn malformed_bodies_and_media_types_are_refused() {
    let server = Server::start("http_bad_body").await;
    let http = reqwest::Client::new();
    let signup = format!("{}/v1/signup", server.base);
    let not_json = http.post(&signup).header("content-type", "application/json").body("{nope").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(not_json.headers()["content-type"], "application/problem+json");
    let missing = http.post(&signup).json(&json!({"tenant": "Acme"})).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let text = missing.text().await.unwrap();
    assert!(text.contains("email"), "names the missing field: {text}");
    let form = http
        .post(&signup)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("tenant=x")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn bad_ids_unknown_routes_and_bad_positions() {
    let server = Server::start("http_bad_ids").await;
    let mut owner = server.tenant("Acme", "free").await;
    let bad_id = owner.get("/v1/projects/not-a-uuid").await;
    assert_eq!(bad_id.problem().kind(), Some(ProblemType::Validation));
    let unknown = owner.get(&format!("/v1/projects/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(unknown.problem().kind(), Some(ProblemType::NotFound));
    let route = owner.get("/v1/no-such-thing").await;
    assert_eq!(route.problem().kind(), Some(ProblemType::NotFound));
    let method = owner.send(Method::PUT, "/v1/projects", Some(json!({})), &[]).await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(method.problem().kind(), Some(ProblemType::MethodNotAllowed));
    let position = owner.send(Method::GET, "/v1/projects", None, &[("x-ctxi-consistency", "soon")]).await;
    assert_eq!(position.problem().kind(), Some(ProblemType::Validation));
    let empty_name = owner.post("/v1/projects", json!({"name": ""})).await;
    let problem = empty_name.problem();
    assert_eq!(problem.kind(), Some(ProblemType::Validation));
    assert_eq!(problem.errors[0].field, "name");
}

#[tokio::test]
async fn the_free_plan_stops_at_one_project_with_a_plan_limit_problem() {
    let server = Server::start("http_plan_limit").await;
    let mut owner = server.tenant("Acme", "free").await;
    owner.project("First").await;
    let second = owner.post("/v1/projects", json!({"name": "Second"})).await;
    assert_eq!(second.status, StatusCode::FORBIDDEN, "{}", second.body);
    let problem = second.problem();
    assert_eq!(problem.kind(), Some(ProblemType::PlanLimit));
    assert_eq!(
        (problem.resource.as_deref(), problem.limit, problem.plan.as_deref()),
        (Some("projects"), Some(1), Some("free"))
    );
    let listed: ProjectList = owner.get("/v1/projects").await.json();
    assert_eq!(listed.projects.len(), 1);
}

#[tokio::test]
async fn cookie_writes_without_the_csrf_token_are_refused_and_change_nothing() {
    let server = Server::start("http_csrf").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let token = owner.csrf.take().expect("signup set the CSRF cookie");
    let without = owner.post("/v1/projects", json!({"name": "Forged"})).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert_eq!(without.problem().kind(), Some(ProblemType::Csrf));
    let wrong =
        owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Forged"})), &[("x-csrf-token", "AAAA")]).await;
    assert_eq!(wrong.problem().kind(), Some(ProblemType::Csrf));
    let logout = owner.post("/v1/logout", json!({})).await;
    assert_eq!(logout.problem().kind(), Some(ProblemType::Csrf));
    owner.csrf = Some(token);
    let listed: ProjectList = owner.get("/v1/projects").await.json();
    assert!(listed.projects.is_empty(), "{listed:?}");
    assert_eq!(owner.get("/v1/me").await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn unauthenticated_reads_are_refused() {
    let server = Server::start("http_unauth").await;
    let mut anonymous = server.client();
    for path in ["/v1/me", "/v1/projects"] {
        assert_eq!(anonymous.get(path).await.problem().kind(), Some(ProblemType::Unauthorized), "{path}");
    }
    let mut forged = server.client().with_bearer("ctxi_abcdefgh_0123456789abcdef0123456789abcdef");
    assert_eq!(forged.get("/v1/projects").await.problem().kind(), Some(ProblemType::Unauthorized));
    let plans = anonymous.get("/v1/plans").await;
    assert_eq!(plans.status, StatusCode::OK);
    assert_eq!(plans.body["plans"][0]["limits"]["projects"], 1);
    assert_eq!(plans.body["plans"][3]["limits"]["projects"], serde_json::Value::Null);
}
