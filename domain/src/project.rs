//! The project aggregate: a named workspace inside a tenant. Whether the tenant may have
//! another project is decided by [`crate::Tenant`] (`AddProject`); the `commands` layer
//! appends both streams atomically.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{Decide, ProjectId, ProjectName, TenantId};

mod settings;

pub use settings::{ProjectSettings, DEFAULT_MAX_NORM_Z, MAX_EMBEDDING_DIMENSION};

/// What can be asked of a project.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectCommand {
    CreateProject {
        project_id: ProjectId,
        tenant_id: TenantId,
        name: ProjectName,
        at: OffsetDateTime,
    },
    RenameProject {
        name: ProjectName,
        at: OffsetDateTime,
    },
    /// Replaces the settings; `settings` must come from [`ProjectSettings::validated`].
    ConfigureProject {
        settings: ProjectSettings,
        at: OffsetDateTime,
    },
}

/// What happened to a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    ProjectConfigured {
        settings: ProjectSettings,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for ProjectEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ProjectCreated { .. } => "ProjectCreated",
            Self::ProjectRenamed { .. } => "ProjectRenamed",
            Self::ProjectConfigured { .. } => "ProjectConfigured",
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
    #[error("the embedding dimension is already {0} and cannot change: vectors of that length are indexed")]
    EmbeddingDimensionFixed(u32),
}

/// A project as its events describe it; `None` until created.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Project {
    created: Option<CreatedProject>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedProject {
    pub id: ProjectId,
    pub tenant_id: TenantId,
    pub name: String,
    #[serde(default)]
    pub settings: ProjectSettings,
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
            (ProjectCommand::ConfigureProject { .. }, None) => Err(ProjectError::NotFound),
            (ProjectCommand::ConfigureProject { settings, at }, Some(project)) => {
                match (project.settings.embedding_dimension, settings.embedding_dimension) {
                    (Some(current), wanted) if wanted != Some(current) => {
                        Err(ProjectError::EmbeddingDimensionFixed(current))
                    }
                    _ if settings == project.settings => Ok(vec![]),
                    _ => Ok(vec![ProjectEvent::ProjectConfigured { settings, at }]),
                }
            }
        }
    }

    fn apply(&mut self, event: ProjectEvent) {
        match event {
            ProjectEvent::ProjectCreated { project_id, tenant_id, name, .. } => {
                self.created =
                    Some(CreatedProject { id: project_id, tenant_id, name, settings: ProjectSettings::default() });
            }
            ProjectEvent::ProjectRenamed { name, .. } => {
                if let Some(project) = &mut self.created {
                    project.name = name;
                }
            }
            ProjectEvent::ProjectConfigured { settings, .. } => {
                if let Some(project) = &mut self.created {
                    project.settings = settings;
                }
            }
        }
    }
}
