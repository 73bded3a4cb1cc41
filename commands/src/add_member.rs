//! Adding a user to a tenant, within the plan's user limit.

use domain::{Role, Tenant, TenantCommand, TenantId, User, UserId};
use eventstore::{Actor, EventStore, Position};
use serde_json::json;
use time::OffsetDateTime;

use crate::access::{authorize, Authority};
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// Adds the registered user `user_id` to `tenant_id` with `role`; owners and admins may.
    ///
    /// Only an owner may make another owner: an admin cannot raise anyone, themselves
    /// included, above their own role. The user limit is the tenant's to decide, and holds under
    /// concurrent adds like the project limit does (see [`Commands::create_project`]).
    #[tracing::instrument(skip_all, fields(%tenant_id, %user_id, %role))]
    pub async fn add_member(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        user_id: UserId,
        role: Role,
    ) -> Result<Position, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let command =
            ctx.prepare("add_member", &json!({ "tenant_id": tenant_id, "user_id": user_id, "role": role }))?;
        let done = self
            .run(&command, || Box::pin(self.decide_add_member(&ctx.actor, tenant_id, user_id, role, ctx.at)))
            .await?;
        Ok(done.position)
    }

    async fn decide_add_member(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        user_id: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> Result<Decision<()>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        let authority = authorize(&tenant.state, actor, Role::can_manage_members)?;
        if role == Role::Owner && matches!(authority, Authority::Member(r) if r != Role::Owner) {
            return Err(CommandError::Forbidden);
        }
        let user = load::<User, _>(&*self.store, user_id).await?;
        if user.state.registered().is_none() {
            return Err(CommandError::NotFound("user"));
        }
        Ok(Decision { streams: vec![tenant.decide(TenantCommand::AddMember { user_id, role, at })?], answer: () })
    }
}
