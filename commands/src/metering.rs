//! Metering served retrievals, a batch at a time, within the plan's monthly allowance.

use std::collections::BTreeMap;
use std::sync::Mutex;

use domain::{Limit, MeterCommand, Plan, ProjectId, RetrievalMeter, Tenant, TenantId, UsageMonth};
use eventstore::{Actor, EventStore, Position, StreamAppend};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::run::Decision;
use crate::{load, load_last, CommandContext, CommandError, Commands, Loaded};

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

/// What one batch of a tenant's retrievals leaves for the next, so that the next needs no
/// reads: the month's meter as the append left it, and the tenant's plan with the condition
/// that the tenant has not changed since (the append checks it against the log, so a plan
/// changed meanwhile, here or in another instance, makes it decide again on fresh reads).
/// Only the plan is kept of the tenant, no personal data.
#[derive(Debug, Clone)]
pub struct MeterMemo {
    month: UsageMonth,
    plan: Plan,
    tenant_unchanged: StreamAppend,
    meter: Loaded<RetrievalMeter>,
}

impl MeterMemo {
    fn admits(&self, requests: usize) -> bool {
        self.meter.state.room(self.plan.limits().retrievals_per_month) >= u64::try_from(requests).unwrap_or(u64::MAX)
    }
}

impl<S: EventStore> Commands<S> {
    /// Meters a batch of retrievals of `tenant_id`, one entry per request (the project it was
    /// served in), in the month of `at`. One event for the whole batch: the write path's fsync
    /// is shared by every request in it. Requests past the allowance are left out, from the
    /// end; on a conflict with another instance the batch is decided again on the new total.
    ///
    /// `memo` is what the previous batch of this tenant left (start with `None`): with it a
    /// batch that fits in the allowance is one round trip, the append; it is replaced by what
    /// this batch leaves, or cleared when the batch fails.
    #[tracing::instrument(skip_all, fields(%tenant_id, requests = requests.len()))]
    pub async fn meter_retrievals(
        &self,
        at: OffsetDateTime,
        tenant_id: TenantId,
        requests: &[ProjectId],
        memo: &mut Option<MeterMemo>,
    ) -> Result<Metered, CommandError> {
        let month = UsageMonth::of(at);
        let ctx = CommandContext::new(Actor::System("metering".into()), at).in_tenant(tenant_id);
        let command = ctx.prepare("meter_retrievals", &json!({ "tenant_id": tenant_id, "month": month }))?;
        // The first attempt trusts the memo; after a conflict the next reads afresh. What the
        // decision leaves is written from inside the attempt's future, hence the mutex.
        let mut remembered = memo.take().filter(|m| m.month == month);
        let next = Mutex::new(None);
        let done = self
            .attempt(&command, || {
                let remembered = remembered.take();
                let next = &next;
                Box::pin(async move {
                    // A refusal appends nothing, so nothing would check the memo: refuse only
                    // on fresh reads (a plan upgraded elsewhere must count at once).
                    let known = match remembered.filter(|memo| memo.admits(requests.len())) {
                        Some(memo) => memo,
                        None => self.read_meter(tenant_id, month).await?,
                    };
                    let limit = known.plan.limits().retrievals_per_month;
                    let admitted =
                        usize::try_from(known.meter.state.room(limit)).unwrap_or(usize::MAX).min(requests.len());
                    let mut by_project: BTreeMap<ProjectId, u32> = BTreeMap::new();
                    for project in &requests[..admitted] {
                        *by_project.entry(*project).or_default() += 1;
                    }
                    let requested = u32::try_from(admitted).unwrap_or(u32::MAX);
                    let command = MeterCommand::Meter { tenant_id, month, requested, by_project, limit, at };
                    let (append, meter) = known.meter.decide_ahead(command, |e| CommandError::Domain(e.to_string()))?;
                    let answer = Metered {
                        admitted,
                        total: meter.state.total,
                        limit,
                        plan: known.plan,
                        month,
                        position: Position::START,
                    };
                    let streams = vec![append, known.tenant_unchanged.clone()];
                    *lock(next) = Some(MeterMemo { meter, ..known });
                    Ok(Decision { streams, answer })
                })
            })
            .await?;
        *memo = next.into_inner().unwrap_or_else(|p| p.into_inner());
        Ok(Metered { position: done.position, ..done.answer })
    }

    /// The tenant's plan and the month's meter, read from the log.
    async fn read_meter(&self, tenant_id: TenantId, month: UsageMonth) -> Result<MeterMemo, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        if tenant.state.id().is_none() {
            return Err(CommandError::NotFound("tenant"));
        }
        let meter = load_last::<RetrievalMeter, _>(&*self.store, format!("{tenant_id}:{month}")).await?;
        Ok(MeterMemo { month, plan: tenant.state.plan(), tenant_unchanged: tenant.unchanged(), meter })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
