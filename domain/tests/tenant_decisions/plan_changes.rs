//! Moving between plans: upgrades always, downgrades only when the tenant fits.

use super::*;

#[test]
fn upgrading_the_plan_records_the_change() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free)])
        .when(TenantCommand::ChangePlan { plan: Plan::Pro, at: AT })
        .then_expect_events(vec![TenantEvent::PlanChanged { from: Plan::Free, to: Plan::Pro, at: AT }]);
}

#[test]
fn upgrading_lifts_the_project_limit() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free), project_added(project(1))])
        .and(vec![TenantEvent::PlanChanged { from: Plan::Free, to: Plan::Starter, at: AT }])
        .when(TenantCommand::AddProject { project_id: project(2), at: AT })
        .then_expect_events(vec![project_added(project(2))]);
}

#[test]
fn downgrading_within_the_new_limits_records_the_change() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Pro), project_added(project(1))])
        .when(TenantCommand::ChangePlan { plan: Plan::Free, at: AT })
        .then_expect_events(vec![TenantEvent::PlanChanged { from: Plan::Pro, to: Plan::Free, at: AT }]);
}

#[test]
fn downgrade_is_refused_when_the_tenant_has_too_many_projects() {
    let projects: Vec<TenantEvent> = (1..=4).map(|n| project_added(project(n))).collect();
    scenario::<Tenant>()
        .given(vec![created(Plan::Pro)])
        .and(projects)
        .when(TenantCommand::ChangePlan { plan: Plan::Starter, at: AT })
        .then_expect_error(TenantError::PlanLimitExceeded {
            resource: "projects",
            limit: 3,
            current: 4,
            plan: Plan::Starter,
        });
}

#[test]
fn downgrade_is_refused_when_the_tenant_has_too_many_members() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), member_added(user(1), Role::Viewer)])
        .when(TenantCommand::ChangePlan { plan: Plan::Free, at: AT })
        .then_expect_error(TenantError::PlanLimitExceeded {
            resource: "users",
            limit: 1,
            current: 2,
            plan: Plan::Free,
        });
}

#[test]
fn changing_to_the_current_plan_records_nothing() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter)])
        .when(TenantCommand::ChangePlan { plan: Plan::Starter, at: AT })
        .then_expect_events(vec![]);
}
