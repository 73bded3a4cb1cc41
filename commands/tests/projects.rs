//! Projects: who may create them, the plan's project limit, and idempotent retries.

mod support;

use commands::{CommandContext, CommandError};
use domain::{Plan, Role, TenantId};
use eventstore::Actor;
use support::*;
use uuid::Uuid;

#[tokio::test]
async fn owner_creates_a_project_recorded_by_tenant_and_project() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;

    let created = commands.create_project(&owner, tenant_id, "Docs").await.unwrap();

    let events = all_events(&commands).await;
    let last_two: Vec<_> = events[3..].iter().map(|e| (e.stream.to_string(), e.event_type.as_str())).collect();
    assert_eq!(
        last_two,
        [
            (format!("tenant-{tenant_id}"), "ProjectAdded"),
            (format!("project-{}", created.project_id), "ProjectCreated"),
        ]
    );
    assert_eq!(created.position, events[4].position);
}

#[tokio::test]
async fn free_plan_refuses_a_second_project() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    commands.create_project(&owner, tenant_id, "One").await.unwrap();

    let err = commands.create_project(&owner, tenant_id, "Two").await.unwrap_err();

    assert!(matches!(err, CommandError::PlanLimit { resource: "projects", limit: 1, plan: Plan::Free }), "{err:?}");
}

#[tokio::test]
async fn upgrade_lifts_the_project_limit() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    commands.create_project(&owner, tenant_id, "One").await.unwrap();

    let change = commands.change_plan(&platform(), tenant_id, Plan::Pro).await.unwrap();

    assert_eq!((change.from, change.to), (Plan::Free, Plan::Pro));
    commands.create_project(&owner, tenant_id, "Two").await.unwrap();
}

#[tokio::test]
async fn viewer_cannot_create_projects_but_a_member_can() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "starter").await;
    let viewer = sign_up(&commands, "vic@example.com", "free").await.user_id;
    let member = sign_up(&commands, "mel@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, viewer, Role::Viewer).await.unwrap();
    commands.add_member(&owner, tenant_id, member, Role::Member).await.unwrap();

    let err = commands.create_project(&as_user(viewer), tenant_id, "Docs").await.unwrap_err();
    assert!(matches!(err, CommandError::Forbidden), "{err:?}");

    commands.create_project(&as_user(member), tenant_id, "Docs").await.unwrap();
}

#[tokio::test]
async fn outsider_and_unknown_tenant_both_read_as_not_found() {
    let commands = in_memory();
    let (tenant_id, _) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let (_, outsider) = tenant_with_owner(&commands, "eve@example.com", "free").await;

    let err = commands.create_project(&outsider, tenant_id, "Mine now").await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("tenant")), "{err:?}");

    let nowhere = TenantId::new(Uuid::now_v7());
    let err = commands.create_project(&outsider, nowhere, "Docs").await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("tenant")), "{err:?}");
}

#[tokio::test]
async fn api_keys_cannot_administer_a_tenant() {
    let commands = in_memory();
    let (tenant_id, _) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let key = CommandContext::new(Actor::ApiKey(Uuid::now_v7()), at());

    let err = commands.create_project(&key, tenant_id, "Docs").await.unwrap_err();

    assert!(matches!(err, CommandError::Forbidden), "{err:?}");
}

#[tokio::test]
async fn retried_create_project_returns_the_same_project_and_appends_nothing() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let ctx = owner.with_idempotency_key("create-docs");

    let first = commands.create_project(&ctx, tenant_id, "Docs").await.unwrap();
    // On the free plan a second project would be refused: only the stored outcome answers.
    let retry = commands.create_project(&ctx, tenant_id, "Docs").await.unwrap();

    assert_eq!(retry, first);
    assert_eq!(all_events(&commands).await.len(), 5);
    let err = commands.create_project(&ctx, tenant_id, "Blog").await.unwrap_err();
    assert!(matches!(err, CommandError::IdempotencyKeyReused), "{err:?}");
}

#[tokio::test]
async fn another_member_reusing_an_idempotency_key_is_refused() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let grace = sign_up(&commands, "grace@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, grace, Role::Member).await.unwrap();
    let key = "create-docs";
    commands.create_project(&owner.with_idempotency_key(key), tenant_id, "Docs").await.unwrap();

    let err = commands.create_project(&as_user(grace).with_idempotency_key(key), tenant_id, "Docs").await.unwrap_err();

    assert!(matches!(err, CommandError::IdempotencyKeyReused), "{err:?}");
}
