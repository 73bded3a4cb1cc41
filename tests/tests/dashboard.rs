//! The dashboard in a real headless Chromium against the real `ctxi serve`.
//!
//! Needs the built dashboard (`bash scripts/build-web.sh`), Chromium and chromedriver
//! (`bash scripts/setup-web.sh`) and PostgreSQL (`TEST_DATABASE_URL`); without them the tests fail
//! and say which command fixes it.

use std::panic::AssertUnwindSafe;

use api_types::{PlanList, Problem, ProblemType};
use browser_tests::{Dashboard, PASSWORD};
use futures::FutureExt;
use serde_json::json;

#[tokio::test]
async fn signup_project_api_key_revoke_logout_login() {
    let app = Dashboard::start("journey").await;
    let outcome = AssertUnwindSafe(journey(&app)).catch_unwind().await;
    app.finish(outcome).await;
}

#[tokio::test]
async fn a_cookie_authenticated_write_without_the_csrf_header_is_refused() {
    let app = Dashboard::start("csrf").await;
    let outcome = AssertUnwindSafe(csrf(&app)).catch_unwind().await;
    app.finish(outcome).await;
}

async fn journey(app: &Dashboard) {
    let b = &app.browser;

    // App pages send signed-out visitors to the login page.
    app.open("/projects").await;
    b.find("#login-form").await;
    assert_eq!(b.path().await, "/login");

    // Signup shows the plans the API offers, with their limits; a null cap reads "Unlimited".
    app.open("/signup").await;
    let plans: PlanList = serde_json::from_str(b.fetch("/v1/plans", json!({})).await["body"].as_str().expect("a body"))
        .expect("GET /v1/plans answers a PlanList");
    assert_eq!(plans.plans.len(), 4, "{plans:?}");
    b.wait_until("four plan cards", || async { b.count("[data-test=plan-card]").await == 4 }).await;
    for plan in &plans.plans {
        let card = b.text_of(&format!("label[for=plan-{}]", plan.plan)).await.expect("a card per plan");
        assert!(card.contains(&plan.name) && card.contains(&plan.price), "card {card:?} for {plan:?}");
        let uncapped = [
            plan.limits.projects,
            plan.limits.users,
            plan.limits.documents,
            plan.limits.pages,
            plan.limits.retrievals_per_month,
        ]
        .iter()
        .filter(|cap| cap.is_none())
        .count();
        assert_eq!(card.matches("Unlimited").count(), uncapped, "card {card:?} for {plan:?}");
    }
    app.snapshot("signup").await;
    app.assert_fits_a_phone("signup").await;

    let email = app.sign_up("Acme Research", "pro").await;
    assert_eq!(b.text_of("#tenant-plan").await.as_deref(), Some("Pro"));
    b.find("#no-projects").await;

    // Create a project; the list shows it without a reload (the read waits for the write).
    b.fill("#project-name", "Support bot").await;
    b.click("#create-project").await;
    b.wait_for_text("[data-test=project] a", "the new project", |t| t == "Support bot").await;
    assert_eq!(b.find("#project-name").await.prop("value").await.unwrap().as_deref(), Some(""));

    // Its page, and a new API key whose secret is shown once.
    b.click("[data-test=project] a").await;
    b.wait_for_text("#project-title", "the project's name", |t| t == "Support bot").await;
    assert!(b.path().await.starts_with("/projects/"));
    b.find("#no-api-keys").await;
    b.fill("#api-key-name", "production").await;
    b.click("#create-api-key").await;
    let secret = b.wait_for_text("#new-secret", "the secret", |t| !t.is_empty()).await;
    let notice = b.text_of("#new-key").await.unwrap();
    assert!(notice.contains("you will not see it again"), "{notice}");
    let hint = b.wait_for_text("[data-test=api-key] code", "the key's prefix", |t| t.ends_with('…')).await;
    assert!(secret.starts_with(hint.trim_end_matches('…')), "secret {secret:?} does not start with {hint:?}");
    app.snapshot("new-key").await;
    app.assert_fits_a_phone("new-key").await;
    b.click("#copy-secret").await;
    b.wait_for_text("#copy-status", "the copy outcome", |t| !t.is_empty()).await;
    b.click("#dismiss-secret").await;
    b.wait_gone("#new-secret").await;
    // Not shown again, not even after a reload.
    let project_path = b.path().await;
    app.open(&project_path).await;
    b.wait_for_text("[data-test=key-status]", "an active key", |t| t == "Active").await;
    let page = b.client.source().await.unwrap();
    assert!(!page.contains(&secret), "the secret is still on the page after a reload");

    // Revoking asks first, in the page; focus moves to the safe choice.
    b.click("[data-test=revoke]").await;
    b.find("[data-test=revoke-confirmation]").await;
    assert_eq!(b.text_of("[data-test=key-status]").await.as_deref(), Some("Active"));
    let focused = b.eval("return document.activeElement.dataset.test || null").await;
    assert_eq!(focused, json!("cancel-revoke"));
    b.click("[data-test=cancel-revoke]").await;
    b.wait_gone("[data-test=revoke-confirmation]").await;
    b.click("[data-test=revoke]").await;
    app.snapshot("revoke-confirmation").await;
    b.click("[data-test=confirm-revoke]").await;
    b.wait_for_text("[data-test=key-status]", "the key revoked", |t| t.starts_with("Revoked")).await;
    assert!(!b.exists("[data-test=revoke]").await, "a revoked key still offers Revoke");
    app.snapshot("revoked").await;

    // Log out: back to the login page, and app pages stay closed.
    b.click("#logout").await;
    b.find("#login-form").await;
    assert!(!b.exists("#tenant-name").await);
    app.open(&project_path).await;
    b.find("#login-form").await;

    // A wrong password is refused with a readable message, not JSON.
    b.fill("#login-email", &email).await;
    b.fill("#login-password", "not the password at all").await;
    b.click("#login-submit").await;
    let error = b.wait_for_text("#login-error", "a login error", |t| !t.is_empty()).await;
    assert!(!error.contains('{') && !error.contains("problems/"), "raw error shown: {error}");

    // The right one signs in, and the project is listed.
    b.fill("#login-password", PASSWORD).await;
    b.click("#login-submit").await;
    b.wait_for_text("[data-test=project] a", "the project after login", |t| t == "Support bot").await;
    assert_eq!(b.path().await, "/projects");
    assert_eq!(b.text_of("#tenant-name").await.as_deref(), Some("Acme Research"));
    app.snapshot("projects").await;
}

async fn csrf(app: &Dashboard) {
    let b = &app.browser;
    app.sign_up("Forgery Target", "starter").await;
    b.fill("#project-name", "Allowed project").await;
    b.click("#create-project").await;
    b.wait_for_text("[data-test=project] a", "the project", |t| t == "Allowed project").await;

    // The CSRF token is readable by the page, the session is not.
    let cookies = b.eval("return document.cookie").await;
    let cookies = cookies.as_str().unwrap();
    assert!(cookies.contains("ctxi_csrf="), "no CSRF cookie: {cookies:?}");
    assert!(!cookies.contains("ctxi_session"), "the session cookie is readable by scripts: {cookies:?}");

    // A write with the session cookie but without the header is refused.
    let forged = b
        .fetch(
            "/v1/projects",
            json!({
                "method": "POST",
                "credentials": "same-origin",
                "headers": { "content-type": "application/json" },
                "body": r#"{"name":"Forged project"}"#,
            }),
        )
        .await;
    assert_eq!(forged["status"], 403, "{forged}");
    assert!(forged["contentType"].as_str().unwrap_or_default().starts_with("application/problem+json"), "{forged}");
    let problem: Problem = serde_json::from_str(forged["body"].as_str().unwrap()).expect("a problem document");
    assert_eq!(problem.kind(), Some(ProblemType::Csrf), "{problem:?}");

    // The same write with the header goes through: the header is what was missing.
    let token = cookies.split("; ").find_map(|c| c.strip_prefix("ctxi_csrf=")).unwrap();
    let allowed = b
        .fetch(
            "/v1/projects",
            json!({
                "method": "POST",
                "credentials": "same-origin",
                "headers": { "content-type": "application/json", "x-csrf-token": token },
                "body": r#"{"name":"Header project"}"#,
            }),
        )
        .await;
    assert_eq!(allowed["status"], 201, "{allowed}");

    // The list, read right after with no consistency header, has both real projects and no
    // forged one.
    let list = b.fetch("/v1/projects", json!({ "credentials": "same-origin" })).await;
    assert_eq!(list["status"], 200, "{list}");
    let list: api_types::ProjectList = serde_json::from_str(list["body"].as_str().unwrap()).unwrap();
    let mut names: Vec<_> = list.projects.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Allowed project", "Header project"]);
}
