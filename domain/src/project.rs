//! The project aggregate: a named workspace inside a tenant. Whether the tenant may have
//! another project is decided by [`crate::Tenant`] (`AddProject`); the `commands` layer
//! appends both streams atomically.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{Decide, ProjectId, ProjectName, TenantId};

/// What can be asked of a project.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectCommand {
    CreateProject { project_id: ProjectId, tenant_id: TenantId, name: ProjectName, at: OffsetDateTime },
    RenameProject { name: ProjectName, at: OffsetDateTime },
}

/// What happened to a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectEvent {
    ProjectCreated {
        project_id: ProjectId,
        tenant_id: TenantId,
        name: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    ProjectRenamed {
        name: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for ProjectEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ProjectCreated { .. } => "ProjectCreated",
            Self::ProjectRenamed { .. } => "ProjectRenamed",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Why a project refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProjectError {
    #[error("the project does not exist")]
    NotFound,
    #[error("the project already exists")]
    AlreadyExists,
}

/// A project as its events describe it; `None` until created.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Project {
    created: Option<CreatedProject>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedProject {
    pub id: ProjectId,
    pub tenant_id: TenantId,
    pub name: String,
}

impl Project {
    pub fn created(&self) -> Option<&CreatedProject> {
        self.created.as_ref()
    }
}

impl Decide for Project {
    const TYPE: &'static str = "project";
    type Command = ProjectCommand;
    type Event = ProjectEvent;
    type Error = ProjectError;

    fn decide(&self, command: ProjectCommand) -> Result<Vec<ProjectEvent>, ProjectError> {
        match (command, &self.created) {
            (ProjectCommand::CreateProject { project_id, tenant_id, name, at }, None) => {
                Ok(vec![ProjectEvent::ProjectCreated { project_id, tenant_id, name: name.into_string(), at }])
            }
            (ProjectCommand::CreateProject { .. }, Some(_)) => Err(ProjectError::AlreadyExists),
            (ProjectCommand::RenameProject { .. }, None) => Err(ProjectError::NotFound),
            // Renaming to the current name records nothing, so retries are harmless.
            (ProjectCommand::RenameProject { name, .. }, Some(project)) if project.name == name.as_str() => Ok(vec![]),
            (ProjectCommand::RenameProject { name, at }, Some(_)) => {
                Ok(vec![ProjectEvent::ProjectRenamed { name: name.into_string(), at }])
            }
        }
    }

    fn apply(&mut self, event: ProjectEvent) {
        match event {
            ProjectEvent::ProjectCreated { project_id, tenant_id, name, .. } => {
                self.created = Some(CreatedProject { id: project_id, tenant_id, name });
            }
            ProjectEvent::ProjectRenamed { name, .. } => {
                if let Some(project) = &mut self.created {
                    project.name = name;
                }
            }
        }
    }
}
