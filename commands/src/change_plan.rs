//! Moving a tenant to another plan.

use domain::{Plan, Role, Tenant, TenantCommand, TenantId};
use eventstore::{Actor, EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::access::authorize;
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands};

/// The plan before and after. `from == to` means the tenant was already on that plan: nothing
/// was written and `position` is [`Position::START`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChange {
    pub from: Plan,
    pub to: Plan,
    pub position: Position,
}

#[derive(Serialize, Deserialize)]
struct Changed {
    from: Plan,
    to: Plan,
}

impl<S: EventStore> Commands<S> {
    /// Moves `tenant_id` to `plan`. What the tenant pays is its owners' call, or the platform's
    /// (the billing webhook acts as a system actor). A downgrade below what the tenant already
    /// has is refused with a message saying how far over it is.
    #[tracing::instrument(skip_all, fields(%tenant_id, %plan))]
    pub async fn change_plan(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        plan: Plan,
    ) -> Result<PlanChange, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let command = ctx.prepare("change_plan", &json!({ "tenant_id": tenant_id, "plan": plan }))?;
        let done =
            self.run(&command, || Box::pin(self.decide_change_plan(&ctx.actor, tenant_id, plan, ctx.at))).await?;
        Ok(PlanChange { from: done.answer.from, to: done.answer.to, position: done.position })
    }

    async fn decide_change_plan(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        plan: Plan,
        at: OffsetDateTime,
    ) -> Result<Decision<Changed>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize(&tenant.state, actor, |role| *role == Role::Owner)?;
        let from = tenant.state.plan();
        Ok(Decision {
            streams: vec![tenant.decide(TenantCommand::ChangePlan { plan, at })?],
            answer: Changed { from, to: plan },
        })
    }
}
