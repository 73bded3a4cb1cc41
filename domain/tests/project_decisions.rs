mod support;

use domain::{Project, ProjectCommand, ProjectError, ProjectEvent, ProjectId, ProjectName, TenantId};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const PROJECT: ProjectId = ProjectId::new(Uuid::from_u128(1));
const TENANT: TenantId = TenantId::new(Uuid::from_u128(2));

fn name(raw: &str) -> ProjectName {
    ProjectName::parse(raw).expect("a valid name")
}

fn create() -> ProjectCommand {
    ProjectCommand::CreateProject { project_id: PROJECT, tenant_id: TENANT, name: name(" Docs "), at: AT }
}

fn created() -> ProjectEvent {
    ProjectEvent::ProjectCreated { project_id: PROJECT, tenant_id: TENANT, name: "Docs".into(), at: AT }
}

#[test]
fn creating_a_project_records_it_under_its_tenant() {
    scenario::<Project>().given_no_previous_events().when(create()).then_expect_events(vec![created()]);
}

#[test]
fn creating_a_project_twice_is_refused() {
    scenario::<Project>().given(vec![created()]).when(create()).then_expect_error(ProjectError::AlreadyExists);
}

#[test]
fn renaming_a_project_records_the_new_name() {
    scenario::<Project>()
        .given(vec![created()])
        .when(ProjectCommand::RenameProject { name: name("Handbook"), at: AT })
        .then_expect_events(vec![ProjectEvent::ProjectRenamed { name: "Handbook".into(), at: AT }]);
}

#[test]
fn renaming_a_project_to_its_current_name_records_nothing() {
    scenario::<Project>()
        .given(vec![created()])
        .when(ProjectCommand::RenameProject { name: name("Docs"), at: AT })
        .then_expect_events(vec![]);
}

#[test]
fn renaming_a_missing_project_is_refused() {
    scenario::<Project>()
        .given_no_previous_events()
        .when(ProjectCommand::RenameProject { name: name("Handbook"), at: AT })
        .then_expect_error(ProjectError::NotFound);
}

#[test]
fn configuring_a_project_records_its_settings_once() {
    let settings = domain::ProjectSettings { pii_policy: domain::PiiPolicy::Flag, ..Default::default() };
    let configured = ProjectEvent::ProjectConfigured { settings: settings.clone(), at: AT };
    scenario::<Project>()
        .given(vec![created()])
        .when(ProjectCommand::ConfigureProject { settings: settings.clone(), at: AT })
        .then_expect_events(vec![configured.clone()]);
    scenario::<Project>()
        .given(vec![created(), configured])
        .when(ProjectCommand::ConfigureProject { settings, at: AT })
        .then_expect_events(vec![]);
}

#[test]
fn a_declared_embedding_dimension_cannot_change() {
    let with = |dimension| domain::ProjectSettings { embedding_dimension: dimension, ..Default::default() };
    let configured = ProjectEvent::ProjectConfigured { settings: with(Some(384)), at: AT };
    scenario::<Project>()
        .given(vec![created(), configured])
        .when(ProjectCommand::ConfigureProject { settings: with(Some(768)), at: AT })
        .then_expect_error(ProjectError::EmbeddingDimensionFixed(384));
}
