//! Projects counted against the plan.

use super::*;

#[test]
fn adding_a_project_within_the_plan_records_it() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free)])
        .when(TenantCommand::AddProject { project_id: project(1), at: AT })
        .then_expect_events(vec![project_added(project(1))]);
}

#[test]
fn free_plan_refuses_a_second_project() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free), project_added(project(1))])
        .when(TenantCommand::AddProject { project_id: project(2), at: AT })
        .then_expect_error(TenantError::PlanLimitReached { resource: "projects", limit: 1, plan: Plan::Free });
}

#[test]
fn pro_plan_allows_any_number_of_projects() {
    let existing: Vec<TenantEvent> = (1..=50).map(|n| project_added(project(n))).collect();
    scenario::<Tenant>()
        .given(vec![created(Plan::Pro)])
        .and(existing)
        .when(TenantCommand::AddProject { project_id: project(51), at: AT })
        .then_expect_events(vec![project_added(project(51))]);
}

#[test]
fn adding_the_same_project_twice_is_refused() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Starter), project_added(project(1))])
        .when(TenantCommand::AddProject { project_id: project(1), at: AT })
        .then_expect_error(TenantError::ProjectAlreadyAdded);
}
