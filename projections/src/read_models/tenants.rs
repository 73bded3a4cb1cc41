//! `tenants`: one row per tenant with its plan and how many projects and members it has.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Plan, Tenant, TenantEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tenants (
    tenant_id     uuid        PRIMARY KEY,
    name          text        NOT NULL,
    plan          text        NOT NULL,
    created_at    timestamptz NOT NULL,
    project_count bigint      NOT NULL,
    member_count  bigint      NOT NULL
);";

const HANDLED: &[&str] = &["TenantCreated", "MemberAdded", "MemberRemoved", "ProjectAdded", "PlanChanged"];

/// Projects tenant streams into `tenants`. Counts follow the tenant's own events
/// (`ProjectAdded`, `MemberAdded`/`MemberRemoved`; the owner named at creation is a member).
#[derive(Debug, Default, Clone, Copy)]
pub struct Tenants;

/// What one batch did to one tenant: its creation if the batch holds it, otherwise changes to
/// add to the stored row.
#[derive(Default)]
struct Change {
    created: Option<(String, OffsetDateTime)>,
    plan: Option<Plan>,
    projects: i64,
    members: i64,
}

#[async_trait]
impl Projector for Tenants {
    fn name(&self) -> &'static str {
        "tenants"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["tenants"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Tenant::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut changes: HashMap<Uuid, Change> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let change = changes.entry(stream_uuid(event)?).or_default();
            match decode::<TenantEvent>(event)? {
                TenantEvent::TenantCreated { name, plan, at, .. } => {
                    change.created = Some((name, at));
                    change.plan = Some(plan);
                    change.members += 1;
                }
                TenantEvent::MemberAdded { .. } => change.members += 1,
                TenantEvent::MemberRemoved { .. } => change.members -= 1,
                TenantEvent::ProjectAdded { .. } => change.projects += 1,
                TenantEvent::PlanChanged { to, .. } => change.plan = Some(to),
            }
        }
        let (mut new, mut old) = (NewRows::default(), Updates::default());
        for (id, change) in changes {
            match change.created {
                Some((name, at)) => {
                    new.ids.push(id);
                    new.names.push(name);
                    new.plans.push(change.plan.unwrap_or_default().as_str());
                    new.created.push(at);
                    new.projects.push(change.projects);
                    new.members.push(change.members);
                }
                None => {
                    old.ids.push(id);
                    old.plans.push(change.plan.map(|p| p.as_str()));
                    old.projects.push(change.projects);
                    old.members.push(change.members);
                }
            }
        }
        if !new.ids.is_empty() {
            sqlx::query(
                "INSERT INTO tenants (tenant_id, name, plan, created_at, project_count, member_count)
                 SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int8[], $6::int8[])",
            )
            .bind(&new.ids)
            .bind(&new.names)
            .bind(&new.plans)
            .bind(&new.created)
            .bind(&new.projects)
            .bind(&new.members)
            .execute(&mut **tx)
            .await?;
        }
        if !old.ids.is_empty() {
            sqlx::query(
                "UPDATE tenants t
                    SET plan = coalesce(c.plan, t.plan),
                        project_count = t.project_count + c.projects,
                        member_count = t.member_count + c.members
                   FROM unnest($1::uuid[], $2::text[], $3::int8[], $4::int8[]) AS c(tenant_id, plan, projects, members)
                  WHERE t.tenant_id = c.tenant_id",
            )
            .bind(&old.ids)
            .bind(&old.plans)
            .bind(&old.projects)
            .bind(&old.members)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// Columns of tenants created in this batch.
#[derive(Default)]
struct NewRows {
    ids: Vec<Uuid>,
    names: Vec<String>,
    plans: Vec<&'static str>,
    created: Vec<OffsetDateTime>,
    projects: Vec<i64>,
    members: Vec<i64>,
}

/// Columns of changes to tenants created in earlier batches.
#[derive(Default)]
struct Updates {
    ids: Vec<Uuid>,
    plans: Vec<Option<&'static str>>,
    projects: Vec<i64>,
    members: Vec<i64>,
}
