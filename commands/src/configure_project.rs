//! Changing a project's settings: PII policy, allow-list, injection policy, embeddings.

use domain::{Project, ProjectCommand, ProjectId, ProjectSettings, Role, Tenant, TenantId};
use eventstore::{EventStore, Position};
use serde_json::json;

use crate::access::authorize;
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// Replaces `project_id`'s settings, for members who may manage projects. Settings equal
    /// to the current ones record nothing; a declared embedding dimension never changes.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id))]
    pub async fn configure_project(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        settings: ProjectSettings,
    ) -> Result<Position, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let settings = settings.validated()?;
        let command = ctx.prepare(
            "configure_project",
            &json!({ "tenant_id": tenant_id, "project_id": project_id, "settings": settings }),
        )?;
        let done = self
            .run(&command, || {
                let settings = settings.clone();
                let actor = ctx.actor.clone();
                let at = ctx.at;
                Box::pin(async move {
                    let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
                    authorize(&tenant.state, &actor, Role::can_manage_projects)?;
                    let project = load::<Project, _>(&*self.store, project_id).await?;
                    if project.state.created().is_none_or(|p| p.tenant_id != tenant_id) {
                        return Err(CommandError::NotFound("project"));
                    }
                    let configure = project.decide(ProjectCommand::ConfigureProject { settings, at })?;
                    Ok(Decision { streams: vec![configure], answer: () })
                })
            })
            .await?;
        Ok(done.position)
    }
}
