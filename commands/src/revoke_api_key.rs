//! Revoking an API key for good.

use domain::{ApiKey, ApiKeyCommand, ApiKeyId, ProjectId, Role, Tenant, TenantId};
use eventstore::{Actor, EventStore, Position};
use serde_json::json;
use time::OffsetDateTime;

use crate::access::authorize;
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// Revokes `key_id` of project `project_id` in `tenant_id`. A key of another tenant or
    /// project is "not found", exactly like a key that does not exist, so ids cannot be probed
    /// across tenants. Revoking twice is refused with a message, not silently accepted.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id, %key_id))]
    pub async fn revoke_api_key(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        key_id: ApiKeyId,
    ) -> Result<Position, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let command = ctx.prepare(
            "revoke_api_key",
            &json!({ "tenant_id": tenant_id, "project_id": project_id, "key_id": key_id }),
        )?;
        let done = self
            .run(&command, || Box::pin(self.decide_revoke_api_key(&ctx.actor, tenant_id, project_id, key_id, ctx.at)))
            .await?;
        Ok(done.position)
    }

    async fn decide_revoke_api_key(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        project_id: ProjectId,
        key_id: ApiKeyId,
        at: OffsetDateTime,
    ) -> Result<Decision<()>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize(&tenant.state, actor, Role::can_manage_api_keys)?;
        let key = load::<ApiKey, _>(&*self.store, key_id).await?;
        if key.state.issued().is_none_or(|issued| issued.tenant_id != tenant_id || issued.project_id != project_id) {
            return Err(CommandError::NotFound("api key"));
        }
        Ok(Decision { streams: vec![key.decide(ApiKeyCommand::RevokeApiKey { at })?], answer: () })
    }
}
