//! Who belongs to a tenant: the user limit and the last-owner rule.

use super::*;

#[test]
fn adding_a_member_within_the_plan_records_it() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter)])
        .when(TenantCommand::AddMember { user_id: user(1), role: Role::Admin, at: AT })
        .then_expect_events(vec![member_added(user(1), Role::Admin)]);
}

#[test]
fn adding_an_existing_member_is_refused() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Viewer)])
        .when(TenantCommand::AddMember { user_id: user(1), role: Role::Admin, at: AT })
        .then_expect_error(TenantError::AlreadyMember);
}

#[test]
fn free_plan_refuses_a_second_user_because_the_owner_counts() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free)])
        .when(TenantCommand::AddMember { user_id: user(1), role: Role::Member, at: AT })
        .then_expect_error(TenantError::PlanLimitReached { resource: "users", limit: 1, plan: Plan::Free });
}

#[test]
fn starter_plan_refuses_a_fourth_user() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Member), member_added(user(2), Role::Member)])
        .when(TenantCommand::AddMember { user_id: user(3), role: Role::Member, at: AT })
        .then_expect_error(TenantError::PlanLimitReached { resource: "users", limit: 3, plan: Plan::Starter });
}

#[test]
fn removing_a_member_records_it() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Member)])
        .when(TenantCommand::RemoveMember { user_id: user(1), at: AT })
        .then_expect_events(vec![TenantEvent::MemberRemoved { user_id: user(1), at: AT }]);
}

#[test]
fn removing_someone_who_is_not_a_member_is_refused() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter)])
        .when(TenantCommand::RemoveMember { user_id: user(1), at: AT })
        .then_expect_error(TenantError::NotAMember);
}

#[test]
fn removing_the_last_owner_is_refused() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Admin)])
        .when(TenantCommand::RemoveMember { user_id: OWNER, at: AT })
        .then_expect_error(TenantError::LastOwner);
}

#[test]
fn an_owner_can_be_removed_while_another_owner_remains() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Owner)])
        .when(TenantCommand::RemoveMember { user_id: OWNER, at: AT })
        .then_expect_events(vec![TenantEvent::MemberRemoved { user_id: OWNER, at: AT }]);
}
