//! The dashboard's path through the API: sign up, projects, keys, sign out and in again.

use api_types::{ApiKeyList, Me, ProblemType, ProjectInfo, ProjectList, SignupResponse};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Server, PASSWORD};

#[tokio::test]
async fn signup_sets_http_only_lax_cookies_and_signs_in() {
    let server = Server::start("http_signup").await;
    let mut client = server.client();
    let (status, body) = client.signup("Acme Corp", "ada@acme.example", "starter").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let signed_up: SignupResponse = serde_json::from_value(body).unwrap();
    assert!(signed_up.position.parse::<u64>().unwrap() > 0);

    let me = client.get("/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let me: Me = me.json();
    assert_eq!((me.user.id, me.tenant.id), (signed_up.user_id, signed_up.tenant_id));
    assert_eq!(
        (me.user.email.as_str(), me.tenant.name.as_str(), me.tenant.plan.as_str()),
        ("ada@acme.example", "Acme Corp", "starter")
    );
    assert_eq!(me.role, "owner");
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let server = Server::start("http_cookies").await;
    let mut client = server.client();
    client.signup("Acme", "ada@acme.example", "free").await;
    let login = client.login("ada@acme.example", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let cookies: Vec<&str> = login.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    let session = cookies.iter().find(|c| c.starts_with("ctxi_session=")).expect("a session cookie");
    let csrf = cookies.iter().find(|c| c.starts_with("ctxi_csrf=")).expect("a CSRF cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"),
        "{session}"
    );
    assert!(!csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"), "{csrf}");
    // Plain HTTP without a public https URL: Secure would make browsers drop them.
    assert!(!session.contains("Secure"), "{session}");
}

#[tokio::test]
async fn projects_and_keys_from_creation_to_revocation() {
    let server = Server::start("http_flow").await;
    let mut owner = server.tenant("Acme", "starter").await;

    let project = owner.project("Support docs").await;
    let listed: ProjectList = owner.get("/v1/projects").await.json();
    assert_eq!(listed.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Support docs"]);
    let one: ProjectInfo = owner.get(&format!("/v1/projects/{project}")).await.json();
    assert_eq!(one.id.to_string(), project);

    let (key_id, secret) = owner.api_key(&project, "CI").await;
    assert!(secret.starts_with("ctxi_"), "{secret}");
    let keys: ApiKeyList = owner.get(&format!("/v1/projects/{project}/api-keys")).await.json();
    assert_eq!(keys.api_keys.len(), 1);
    assert_eq!(keys.api_keys[0].id.to_string(), key_id);
    assert!(secret.starts_with(&format!("ctxi_{}_", keys.api_keys[0].prefix)));
    assert!(
        !keys.api_keys.iter().any(|k| serde_json::to_string(k).unwrap().contains(&secret)),
        "the secret is shown once"
    );

    // The key reads its project, and nothing meant for the dashboard.
    let mut machine = owner.with_bearer(&secret);
    let seen: ProjectList = machine.get("/v1/projects").await.json();
    assert_eq!(seen.projects.len(), 1);
    assert_eq!(machine.get(&format!("/v1/projects/{project}")).await.status, StatusCode::OK);
    assert_eq!(machine.get("/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let write = machine.post("/v1/projects", json!({"name": "By key"})).await;
    assert_eq!(write.problem().kind(), Some(ProblemType::Unauthorized));

    let revoked = owner.delete(&format!("/v1/projects/{project}/api-keys/{key_id}")).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let refused = machine.get("/v1/projects").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.problem().kind(), Some(ProblemType::Unauthorized));
    let keys: ApiKeyList = owner.get(&format!("/v1/projects/{project}/api-keys")).await.json();
    assert!(keys.api_keys[0].revoked_at.is_some());
    let again = owner.delete(&format!("/v1/projects/{project}/api-keys/{key_id}")).await;
    assert_eq!(again.problem().kind(), Some(ProblemType::Conflict));
}

#[tokio::test]
async fn logout_ends_the_session_and_login_starts_a_new_one() {
    let server = Server::start("http_logout").await;
    let mut client = server.client();
    client.signup("Acme", "ada@acme.example", "free").await;
    let project = client.project("Docs").await;

    let out = client.post("/v1/logout", json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert_eq!(client.get("/v1/me").await.problem().kind(), Some(ProblemType::Unauthorized));
    assert_eq!(client.get("/v1/projects").await.status, StatusCode::UNAUTHORIZED);

    let wrong = client.login("ada@acme.example", "not the password at all").await;
    assert_eq!(wrong.problem().kind(), Some(ProblemType::Unauthorized));
    let unknown = client.login("nobody@acme.example", PASSWORD).await;
    assert_eq!(unknown.problem().detail, wrong.problem().detail, "no hint about which addresses exist");

    let login = client.login("ADA@acme.example", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.json::<Me>().tenant.name, "Acme");
    let listed: ProjectList = client.get("/v1/projects").await.json();
    assert_eq!(listed.projects.iter().map(|p| p.id.to_string()).collect::<Vec<_>>(), [project]);
}

#[tokio::test]
async fn an_old_session_cookie_stops_working_after_logout() {
    let server = Server::start("http_old_cookie").await;
    server.client().signup("Acme", "ada@acme.example", "free").await;
    // A client without a cookie jar, holding the cookie as someone who copied it would.
    let raw = reqwest::Client::new();
    let login = raw
        .post(format!("{}/v1/login", server.base))
        .json(&json!({"email": "ada@acme.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let csrf = cookies.iter().find_map(|c| c.strip_prefix("ctxi_csrf=")).unwrap().to_owned();
    let cookie = cookies.join("; ");
    let me = |cookie: String| raw.get(format!("{}/v1/me", server.base)).header("cookie", cookie).send();
    assert_eq!(me(cookie.clone()).await.unwrap().status(), StatusCode::OK);
    let out = raw
        .post(format!("{}/v1/logout", server.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(cookie).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}
