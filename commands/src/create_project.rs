//! Creating a project, within the tenant's plan limit.

use domain::{Project, ProjectCommand, ProjectId, ProjectName, Role, Tenant, TenantCommand, TenantId};
use eventstore::{Actor, EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::authorize;
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands, Loaded};

/// The project created, and the position to wait for before reading it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCreated {
    pub project_id: ProjectId,
    pub position: Position,
}

impl<S: EventStore> Commands<S> {
    /// Creates a project in `tenant_id`, for members whose role may manage projects.
    ///
    /// The tenant decides whether the plan has room (`AddProject`) and its event is appended
    /// with the project's at the tenant version that decision saw: of concurrent creates, the
    /// losers decide again on the new count, so the limit holds under any race.
    #[tracing::instrument(skip_all, fields(%tenant_id))]
    pub async fn create_project(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        name: &str,
    ) -> Result<ProjectCreated, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let name = ProjectName::parse(name)?;
        let command = ctx.prepare("create_project", &json!({ "tenant_id": tenant_id, "name": name }))?;
        let project_id = ProjectId::new(Uuid::now_v7());
        let done = self
            .run(&command, || Box::pin(self.decide_create_project(&ctx.actor, tenant_id, project_id, &name, ctx.at)))
            .await?;
        Ok(ProjectCreated { project_id: done.answer, position: done.position })
    }

    async fn decide_create_project(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        project_id: ProjectId,
        name: &ProjectName,
        at: OffsetDateTime,
    ) -> Result<Decision<ProjectId>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize(&tenant.state, actor, Role::can_manage_projects)?;
        let streams = vec![
            tenant.decide(TenantCommand::AddProject { project_id, at })?,
            Loaded::<Project>::fresh(project_id).decide(ProjectCommand::CreateProject {
                project_id,
                tenant_id,
                name: name.clone(),
                at,
            })?,
        ];
        Ok(Decision { streams, answer: project_id })
    }
}
