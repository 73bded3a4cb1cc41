//! Durable usage metering of served retrievals, with group commit.
//!
//! A retrieval asks [`Meter::meter`] while its search runs and answers 2xx only once the meter
//! says its retrieval is recorded, so the count in the event store is never below the 2xx
//! answers clients received, even after `kill -9`. Requests queue while an append is in flight
//! and the next append takes all of them, per tenant: one transaction and one fsync for many
//! requests, not one each. The allowance is decided in the same append (see
//! `Commands::meter_retrievals`), so it never overshoots, across instances too. What a
//! tenant's batch leaves (its meter and plan) is kept for its next batch, which is then one
//! round trip: the append, which checks that neither changed meanwhile.

use std::collections::HashMap;

use commands::{CommandError, Commands, MeterMemo, Metered};
use domain::{ProjectId, TenantId};
use eventstore::{EventStore, Position};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

/// Most requests waiting for the batcher before callers wait to enqueue: backpressure
/// rather than unbounded memory.
const QUEUE: usize = 10_000;
/// Most requests of one tenant in one append.
const MAX_BATCH: usize = 2_000;
/// Most tenants whose last batch is remembered; past it the memory starts over (each tenant's
/// next batch reads its meter again).
const MEMOS: usize = 10_000;

/// Why a retrieval could not be metered.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// The month's allowance is used up.
    Quota(Box<Metered>),
    /// The meter could not record it; the retrieval must not be answered as served.
    Failed(String),
}

impl From<Refusal> for CommandError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Quota(m) => CommandError::QuotaExceeded {
                resource: "retrievals",
                limit: m.limit.cap().unwrap_or(u64::MAX),
                plan: m.plan,
                resets_at: Some(m.month.resets_at()),
                message: format!(
                    "retrievals: the {} plan allows {} a month and they are used up",
                    m.plan,
                    m.limit.cap().unwrap_or(u64::MAX)
                ),
            },
            Refusal::Failed(reason) => CommandError::Domain(format!("usage could not be recorded: {reason}")),
        }
    }
}

struct Pending {
    tenant_id: TenantId,
    project_id: ProjectId,
    done: oneshot::Sender<Result<Position, Refusal>>,
}

/// The handle retrieval handlers meter through; cheap to clone.
#[derive(Clone, Debug)]
pub struct Meter {
    queue: mpsc::Sender<Pending>,
}

impl Meter {
    /// Starts the batcher over `commands`; it stops when every handle is dropped.
    pub fn start<S: EventStore>(commands: Commands<S>) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(batch_forever(commands, requests));
        Self { queue }
    }

    /// Records one retrieval served in `project_id`; resolves once it is durable, with the
    /// position of the event that counts it, or with the reason it cannot be.
    pub async fn meter(&self, tenant_id: TenantId, project_id: ProjectId) -> Result<Position, Refusal> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send(Pending { tenant_id, project_id, done })
            .await
            .map_err(|_| Refusal::Failed("the meter has stopped".into()))?;
        outcome.await.unwrap_or_else(|_| Err(Refusal::Failed("the meter has stopped".into())))
    }
}

async fn batch_forever<S: EventStore>(commands: Commands<S>, mut requests: mpsc::Receiver<Pending>) {
    let mut waiting = Vec::new();
    let mut memos: HashMap<TenantId, MeterMemo> = HashMap::new();
    while requests.recv_many(&mut waiting, QUEUE).await > 0 {
        let mut by_tenant: HashMap<TenantId, Vec<Pending>> = HashMap::new();
        for pending in waiting.drain(..) {
            by_tenant.entry(pending.tenant_id).or_default().push(pending);
        }
        if memos.len() + by_tenant.len() > MEMOS {
            memos.clear();
        }
        // One append per tenant at a time (a tenant's batches after the first wait for the
        // one before: its memo is what that one left), tenants concurrently.
        let appends = by_tenant.into_iter().map(|(tenant_id, pending)| {
            let memo = memos.remove(&tenant_id);
            append_all(&commands, tenant_id, pending, memo)
        });
        for (tenant_id, memo) in futures::future::join_all(appends).await {
            if let Some(memo) = memo {
                memos.insert(tenant_id, memo);
            }
        }
    }
}

/// Meters one tenant's requests, [`MAX_BATCH`] to an append.
async fn append_all<S: EventStore>(
    commands: &Commands<S>,
    tenant_id: TenantId,
    mut pending: Vec<Pending>,
    mut memo: Option<MeterMemo>,
) -> (TenantId, Option<MeterMemo>) {
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(MAX_BATCH));
        append(commands, tenant_id, std::mem::replace(&mut pending, rest), &mut memo).await;
    }
    (tenant_id, memo)
}

/// Meters one tenant's batch and tells each request how it went.
async fn append<S: EventStore>(
    commands: &Commands<S>,
    tenant_id: TenantId,
    pending: Vec<Pending>,
    memo: &mut Option<MeterMemo>,
) {
    let projects: Vec<ProjectId> = pending.iter().map(|p| p.project_id).collect();
    match commands.meter_retrievals(OffsetDateTime::now_utc(), tenant_id, &projects, memo).await {
        Ok(metered) => {
            for (i, request) in pending.into_iter().enumerate() {
                let outcome =
                    if i < metered.admitted { Ok(metered.position) } else { Err(Refusal::Quota(Box::new(metered))) };
                let _ = request.done.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(%tenant_id, error = %e, requests = projects.len(), "metering failed");
            for request in pending {
                let _ = request.done.send(Err(Refusal::Failed(e.to_string())));
            }
        }
    }
}
