//! API keys: shown once, stored as a hash, confined to their tenant.

mod support;

use commands::CommandError;
use domain::{ApiKeyEvent, ApiKeySecret, Role};
use sha2::{Digest, Sha256};
use support::*;

#[tokio::test]
async fn issued_key_is_shown_once_and_stored_only_as_its_sha256() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let project = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();

    let issued = commands.issue_api_key(&owner, tenant_id, project.project_id, "CI").await.unwrap();

    let secret = issued.secret.expect("a new key is shown");
    let parsed = ApiKeySecret::parse(secret.expose()).unwrap();
    assert_eq!(parsed.prefix().as_str(), issued.prefix);
    assert!(!format!("{secret:?}").contains(&secret.expose()[14..]), "Debug redacts");

    let events = all_events(&commands).await;
    let ApiKeyEvent::ApiKeyIssued { secret_hash, prefix, project_id, .. } = events.last().unwrap().decode().unwrap()
    else {
        panic!("expected ApiKeyIssued");
    };
    assert_eq!(secret_hash, hex::encode(Sha256::digest(secret.expose().as_bytes())));
    assert_eq!((prefix, project_id), (issued.prefix, project.project_id));
    let secret_part = &secret.expose()[14..];
    for event in &events {
        assert!(!event.payload.to_string().contains(secret_part));
    }
}

#[tokio::test]
async fn retried_issue_returns_the_same_key_id_without_the_secret() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let project = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();
    let ctx = owner.with_idempotency_key("issue-ci");

    let first = commands.issue_api_key(&ctx, tenant_id, project.project_id, "CI").await.unwrap();
    let retry = commands.issue_api_key(&ctx, tenant_id, project.project_id, "CI").await.unwrap();

    assert!(first.secret.is_some());
    assert!(retry.secret.is_none(), "the stored outcome never holds the key");
    assert_eq!((retry.key_id, &retry.prefix, retry.position), (first.key_id, &first.prefix, first.position));
    assert_eq!(event_types(&commands).await.iter().filter(|t| *t == "ApiKeyIssued").count(), 1);
}

#[tokio::test]
async fn key_for_a_project_of_another_tenant_is_not_found() {
    let commands = in_memory();
    let (tenant_a, owner_a) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let (tenant_b, owner_b) = tenant_with_owner(&commands, "bob@example.com", "free").await;
    let project_a = commands.create_project(&owner_a, tenant_a, "Docs").await.unwrap();

    let err = commands.issue_api_key(&owner_b, tenant_b, project_a.project_id, "CI").await.unwrap_err();

    assert!(matches!(err, CommandError::NotFound("project")), "{err:?}");
}

#[tokio::test]
async fn viewer_cannot_issue_keys() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "starter").await;
    let project = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();
    let viewer = sign_up(&commands, "vic@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, viewer, Role::Viewer).await.unwrap();

    let err = commands.issue_api_key(&as_user(viewer), tenant_id, project.project_id, "CI").await.unwrap_err();

    assert!(matches!(err, CommandError::Forbidden), "{err:?}");
}

#[tokio::test]
async fn revoked_key_cannot_be_revoked_again() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let project = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();
    let key = commands.issue_api_key(&owner, tenant_id, project.project_id, "CI").await.unwrap();

    commands.revoke_api_key(&owner, tenant_id, project.project_id, key.key_id).await.unwrap();
    let err = commands.revoke_api_key(&owner, tenant_id, project.project_id, key.key_id).await.unwrap_err();

    assert_eq!(err.to_string(), "the API key has already been revoked");
    assert_eq!(event_types(&commands).await.last().unwrap(), "ApiKeyRevoked");
}

#[tokio::test]
async fn cross_tenant_key_revoke_is_not_found() {
    let commands = in_memory();
    let (tenant_a, owner_a) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let (tenant_b, owner_b) = tenant_with_owner(&commands, "eve@example.com", "free").await;
    let project = commands.create_project(&owner_a, tenant_a, "Docs").await.unwrap();
    let key = commands.issue_api_key(&owner_a, tenant_a, project.project_id, "CI").await.unwrap();

    // Through her own tenant, Eve learns nothing about the key ...
    let err = commands.revoke_api_key(&owner_b, tenant_b, project.project_id, key.key_id).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("api key")), "{err:?}");
    // ... and through Ada's, nothing about the tenant.
    let err = commands.revoke_api_key(&owner_b, tenant_a, project.project_id, key.key_id).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("tenant")), "{err:?}");

    assert_eq!(event_types(&commands).await.last().unwrap(), "ApiKeyIssued");
}

#[tokio::test]
async fn a_key_revoked_through_another_project_is_not_found() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "starter").await;
    let docs = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();
    let wiki = commands.create_project(&owner, tenant_id, "Wiki").await.unwrap();
    let key = commands.issue_api_key(&owner, tenant_id, docs.project_id, "CI").await.unwrap();

    let err = commands.revoke_api_key(&owner, tenant_id, wiki.project_id, key.key_id).await.unwrap_err();

    assert!(matches!(err, CommandError::NotFound("api key")), "{err:?}");
    assert_eq!(event_types(&commands).await.last().unwrap(), "ApiKeyIssued");
}
