//! Tenant decisions: creation here; members, projects and plan changes in submodules.

mod support;

// A test crate root looks for submodules beside itself; these live in `tenant_decisions/`.
#[path = "tenant_decisions/members.rs"]
mod members;
#[path = "tenant_decisions/plan_changes.rs"]
mod plan_changes;
#[path = "tenant_decisions/projects.rs"]
mod projects;

use domain::{Plan, ProjectId, Role, Tenant, TenantCommand, TenantError, TenantEvent, TenantId, TenantName, UserId};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const TENANT: TenantId = TenantId::new(Uuid::from_u128(0x7e));
const OWNER: UserId = UserId::new(Uuid::from_u128(1));

fn user(n: u128) -> UserId {
    UserId::new(Uuid::from_u128(100 + n))
}

fn project(n: u128) -> ProjectId {
    ProjectId::new(Uuid::from_u128(200 + n))
}

fn created(plan: Plan) -> TenantEvent {
    TenantEvent::TenantCreated { tenant_id: TENANT, name: "Acme".into(), plan, owner: OWNER, at: AT }
}

fn member_added(user_id: UserId, role: Role) -> TenantEvent {
    TenantEvent::MemberAdded { user_id, role, at: AT }
}

fn project_added(project_id: ProjectId) -> TenantEvent {
    TenantEvent::ProjectAdded { project_id, at: AT }
}

fn create(plan: Plan) -> TenantCommand {
    let name = TenantName::parse("Acme").expect("a valid name");
    TenantCommand::CreateTenant { tenant_id: TENANT, name, plan, owner: OWNER, at: AT }
}

#[test]
fn creating_a_tenant_records_it_with_its_owner() {
    scenario::<Tenant>()
        .given_no_previous_events()
        .when(create(Plan::Free))
        .then_expect_events(vec![created(Plan::Free)]);
}

#[test]
fn creating_a_tenant_twice_is_refused() {
    scenario::<Tenant>()
        .given(vec![created(Plan::Free)])
        .when(create(Plan::Pro))
        .then_expect_error(TenantError::AlreadyExists);
}

#[test]
fn the_creator_counts_as_an_owner() {
    let mut tenant = Tenant::default();
    domain::Decide::apply(&mut tenant, created(Plan::Free));
    assert_eq!(tenant.role_of(OWNER), Some(Role::Owner));
    assert_eq!(tenant.member_count(), 1);
}

#[test]
fn commands_on_a_missing_tenant_are_refused_as_not_found() {
    let commands = [
        TenantCommand::AddMember { user_id: user(1), role: Role::Member, at: AT },
        TenantCommand::RemoveMember { user_id: OWNER, at: AT },
        TenantCommand::AddProject { project_id: project(1), at: AT },
        TenantCommand::ChangePlan { plan: Plan::Pro, at: AT },
    ];
    for command in commands {
        scenario::<Tenant>().given_no_previous_events().when(command).then_expect_error(TenantError::NotFound);
    }
}

#[test]
fn plan_limit_error_reads_well() {
    let err = TenantError::PlanLimitReached { resource: "projects", limit: 1, plan: Plan::Free };
    assert_eq!(err.to_string(), "projects: the free plan allows at most 1");
}
