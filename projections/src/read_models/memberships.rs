//! `memberships`: who belongs to which tenant, with which role. Removed members have no row.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Role, Tenant, TenantEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS memberships (
    tenant_id uuid        NOT NULL,
    user_id   uuid        NOT NULL,
    role      text        NOT NULL,
    added_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);";

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships (user_id);";

const HANDLED: &[&str] = &["TenantCreated", "MemberAdded", "MemberRemoved"];

/// Projects tenant streams into `memberships`; the owner named by `TenantCreated` is the first
/// member. Indexed by user for "which tenants am I in".
#[derive(Debug, Default, Clone, Copy)]
pub struct Memberships;

/// Columns of memberships that exist after this batch.
#[derive(Default)]
struct Present {
    tenants: Vec<Uuid>,
    users: Vec<Uuid>,
    roles: Vec<&'static str>,
    added: Vec<OffsetDateTime>,
}

#[async_trait]
impl Projector for Memberships {
    fn name(&self) -> &'static str {
        "memberships"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["memberships"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Tenant::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        // The batch's last word on each membership: present with a role, or removed.
        let mut last: HashMap<(Uuid, Uuid), Option<(Role, OffsetDateTime)>> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let tenant = stream_uuid(event)?;
            match decode::<TenantEvent>(event)? {
                TenantEvent::TenantCreated { owner, at, .. } => {
                    last.insert((tenant, owner.as_uuid()), Some((Role::Owner, at)));
                }
                TenantEvent::MemberAdded { user_id, role, at } => {
                    last.insert((tenant, user_id.as_uuid()), Some((role, at)));
                }
                TenantEvent::MemberRemoved { user_id, .. } => {
                    last.insert((tenant, user_id.as_uuid()), None);
                }
                _ => {}
            }
        }
        let (mut present, mut removed) = (Present::default(), (Vec::new(), Vec::new()));
        for ((tenant, user), state) in last {
            match state {
                Some((role, at)) => {
                    present.tenants.push(tenant);
                    present.users.push(user);
                    present.roles.push(role.as_str());
                    present.added.push(at);
                }
                None => {
                    removed.0.push(tenant);
                    removed.1.push(user);
                }
            }
        }
        if !removed.0.is_empty() {
            sqlx::query(
                "DELETE FROM memberships m
                  USING unnest($1::uuid[], $2::uuid[]) AS r(tenant_id, user_id)
                  WHERE m.tenant_id = r.tenant_id AND m.user_id = r.user_id",
            )
            .bind(&removed.0)
            .bind(&removed.1)
            .execute(&mut **tx)
            .await?;
        }
        if !present.tenants.is_empty() {
            sqlx::query(
                "INSERT INTO memberships (tenant_id, user_id, role, added_at)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role, added_at = EXCLUDED.added_at",
            )
            .bind(&present.tenants)
            .bind(&present.users)
            .bind(&present.roles)
            .bind(&present.added)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
