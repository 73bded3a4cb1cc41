//! Members and plans: who may add whom, the plan's user limit, and plan changes.

mod support;

use commands::CommandError;
use domain::{Plan, Role, UserId};
use eventstore::Position;
use support::*;
use uuid::Uuid;

#[tokio::test]
async fn free_plan_refuses_a_second_member() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "free").await;
    let grace = sign_up(&commands, "grace@example.com", "free").await.user_id;

    let err = commands.add_member(&owner, tenant_id, grace, Role::Member).await.unwrap_err();

    assert!(matches!(err, CommandError::PlanLimit { resource: "users", limit: 1, plan: Plan::Free }), "{err:?}");
}

#[tokio::test]
async fn adding_an_unregistered_user_is_not_found() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let nobody = UserId::new(Uuid::now_v7());

    let err = commands.add_member(&owner, tenant_id, nobody, Role::Member).await.unwrap_err();

    assert!(matches!(err, CommandError::NotFound("user")), "{err:?}");
}

#[tokio::test]
async fn adding_a_member_twice_is_refused_with_a_readable_reason() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let grace = sign_up(&commands, "grace@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, grace, Role::Member).await.unwrap();

    let err = commands.add_member(&owner, tenant_id, grace, Role::Admin).await.unwrap_err();

    assert_eq!(err.to_string(), "the user is already a member of this tenant");
}

#[tokio::test]
async fn admin_may_add_members_but_not_owners_and_member_may_add_nobody() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let admin = sign_up(&commands, "adm@example.com", "free").await.user_id;
    let member = sign_up(&commands, "mel@example.com", "free").await.user_id;
    let grace = sign_up(&commands, "grace@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, admin, Role::Admin).await.unwrap();

    let err = commands.add_member(&as_user(admin), tenant_id, grace, Role::Owner).await.unwrap_err();
    assert!(matches!(err, CommandError::Forbidden), "{err:?}");

    commands.add_member(&as_user(admin), tenant_id, member, Role::Member).await.unwrap();
    let err = commands.add_member(&as_user(member), tenant_id, grace, Role::Viewer).await.unwrap_err();
    assert!(matches!(err, CommandError::Forbidden), "{err:?}");
}

#[tokio::test]
async fn downgrade_below_current_usage_is_refused() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "starter").await;
    commands.create_project(&owner, tenant_id, "One").await.unwrap();
    commands.create_project(&owner, tenant_id, "Two").await.unwrap();

    let err = commands.change_plan(&owner, tenant_id, Plan::Free).await.unwrap_err();

    assert_eq!(err.to_string(), "projects: the free plan allows at most 1, but the tenant has 2");
}

#[tokio::test]
async fn changing_to_the_current_plan_writes_nothing() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;

    let change = commands.change_plan(&owner, tenant_id, Plan::Pro).await.unwrap();

    assert_eq!((change.from, change.to, change.position), (Plan::Pro, Plan::Pro, Position::START));
    assert_eq!(all_events(&commands).await.len(), 3);
}

#[tokio::test]
async fn only_owners_change_the_plan() {
    let commands = in_memory();
    let (tenant_id, owner) = tenant_with_owner(&commands, "ada@example.com", "pro").await;
    let admin = sign_up(&commands, "adm@example.com", "free").await.user_id;
    commands.add_member(&owner, tenant_id, admin, Role::Admin).await.unwrap();

    let err = commands.change_plan(&as_user(admin), tenant_id, Plan::Enterprise).await.unwrap_err();

    assert!(matches!(err, CommandError::Forbidden), "{err:?}");
}
