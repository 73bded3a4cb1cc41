//! Metering served retrievals, a batch at a time, within the plan's monthly allowance.

use std::collections::BTreeMap;

use domain::{Limit, MeterCommand, Plan, ProjectId, RetrievalMeter, Tenant, TenantId, UsageMonth};
use eventstore::{Actor, EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::run::Decision;
use crate::{load, load_last, CommandContext, CommandError, Commands};

/// What a batch of retrievals came to: the first `admitted` of them are metered (durably, when
/// this returns); the rest did not fit in the month's allowance and must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metered {
    pub admitted: usize,
    pub total: u64,
    pub limit: Limit,
    pub plan: Plan,
    pub month: UsageMonth,
    pub position: Position,
}

impl<S: EventStore> Commands<S> {
    /// Meters a batch of retrievals of `tenant_id`, one entry per request (the project it was
    /// served in), in the month of `at`. One event for the whole batch: the write path's fsync
    /// is shared by every request in it. Requests past the allowance are left out, from the
    /// end; on a conflict with another instance the batch is decided again on the new total.
    #[tracing::instrument(skip_all, fields(%tenant_id, requests = requests.len()))]
    pub async fn meter_retrievals(
        &self,
        at: OffsetDateTime,
        tenant_id: TenantId,
        requests: &[ProjectId],
    ) -> Result<Metered, CommandError> {
        let month = UsageMonth::of(at);
        let ctx = CommandContext::new(Actor::System("metering".into()), at).in_tenant(tenant_id);
        let command = ctx.prepare("meter_retrievals", &json!({ "tenant_id": tenant_id, "month": month }))?;
        let done = self
            .attempt(&command, || {
                Box::pin(async move {
                    let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
                    if tenant.state.id().is_none() {
                        return Err(CommandError::NotFound("tenant"));
                    }
                    let plan = tenant.state.plan();
                    let limit = plan.limits().retrievals_per_month;
                    let stream_id = format!("{tenant_id}:{month}");
                    let meter = load_last::<RetrievalMeter, _>(&*self.store, &stream_id).await?;
                    let admitted = usize::try_from(meter.state.room(limit)).unwrap_or(usize::MAX).min(requests.len());
                    let mut by_project: BTreeMap<ProjectId, u32> = BTreeMap::new();
                    for project in &requests[..admitted] {
                        *by_project.entry(*project).or_default() += 1;
                    }
                    let requested = u32::try_from(admitted).unwrap_or(u32::MAX);
                    let total = meter.state.total + u64::from(requested);
                    let command = MeterCommand::Meter { tenant_id, month, requested, by_project, limit, at };
                    let streams = vec![meter.decide_or(command, |e| CommandError::Domain(e.to_string()))?];
                    let answer = Metered { admitted, total, limit, plan, month, position: Position::START };
                    Ok(Decision { streams, answer })
                })
            })
            .await?;
        Ok(Metered { position: done.position, ..done.answer })
    }
}
