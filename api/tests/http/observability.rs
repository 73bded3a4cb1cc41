//! The OpenAPI document, the docs page, metrics, and request ids reaching the events.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::support::Server;

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let server = Server::start("http_openapi").await;
    let mut client = server.client();
    let doc = client.get("/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().unwrap();
    let expected = [
        ("/v1/signup", "post"),
        ("/v1/login", "post"),
        ("/v1/logout", "post"),
        ("/v1/me", "get"),
        ("/v1/plans", "get"),
        ("/v1/projects", "get"),
        ("/v1/projects", "post"),
        ("/v1/projects/{id}", "get"),
        ("/v1/projects/{id}/api-keys", "get"),
        ("/v1/projects/{id}/api-keys", "post"),
        ("/v1/projects/{id}/api-keys/{key_id}", "delete"),
    ];
    for (path, method) in expected {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    let schemas = doc.body["components"]["schemas"].as_object().unwrap();
    for name in ["SignupRequest", "Problem", "IssuedApiKey", "ProjectList"] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    let docs = reqwest::get(format!("{}/v1/docs", server.base)).await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(docs.headers()["x-content-type-options"], "nosniff");
    let html = docs.text().await.unwrap();
    assert!(html.contains("/v1/projects/{id}/api-keys/{key_id}") && html.contains("problems/plan-limit"), "{html}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_events_appended() {
    let server = Server::start("http_metrics").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let project = owner.project("Docs").await;
    owner.get(&format!("/v1/projects/{project}")).await;
    let text = reqwest::get(format!("{}/metrics", server.base)).await.unwrap().text().await.unwrap();
    let series = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(series(r#"http_requests_total{route="/v1/projects",method="POST",status="201"}"#), 1.0);
    assert_eq!(series(r#"http_requests_total{route="/v1/projects/{id}",method="GET",status="200"}"#), 1.0);
    // Signup (claim, user, tenant), a session, the project (tenant, project).
    assert!(series("events_appended_total") >= 6.0, "{text}");
    assert!(series(r#"projector_position{projector="projects"}"#) > 0.0, "{text}");
    assert!(text.contains(r#"projector_lag{projector="sessions"}"#), "{text}");
    // Signup and the project waited for the read models, and both were visible in time.
    assert!(series("write_visibility_wait_seconds_count") >= 2.0, "{text}");
    assert_eq!(series("writes_pending_total"), 0.0);
}

#[tokio::test]
async fn the_request_id_is_echoed_and_recorded_in_the_events() {
    let server = Server::start("http_request_id").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let request_id = uuid::Uuid::now_v7().to_string();
    let r =
        owner.send(Method::POST, "/v1/projects", Some(json!({"name": "Docs"})), &[("x-request-id", &request_id)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.headers["x-request-id"].to_str().unwrap(), request_id);

    let pool = sqlx::PgPool::connect(&server.db.url()).await.unwrap();
    let rows =
        sqlx::query("SELECT event_type, metadata FROM events WHERE metadata->>'correlation_id' = $1 ORDER BY position")
            .bind(&request_id)
            .fetch_all(&pool)
            .await
            .unwrap();
    let types: Vec<String> = rows.iter().map(|row| row.get("event_type")).collect();
    assert_eq!(types, ["ProjectAdded", "ProjectCreated"]);
    let metadata: Value = rows[0].get("metadata");
    let me = owner.get("/v1/me").await;
    assert_eq!(metadata["tenant_id"], me.body["tenant"]["id"], "{metadata}");

    // A problem names the request too.
    let bad =
        owner.send(Method::POST, "/v1/projects", Some(json!({"name": ""})), &[("x-request-id", &request_id)]).await;
    assert_eq!(bad.problem().instance, Some(format!("urn:ctxi:request:{request_id}")));
}
