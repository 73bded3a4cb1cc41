//! `usage_documents` and `usage_retrievals`: each tenant's documents and pages held, and its
//! retrievals per month, for the usage header and billing.
//!
//! Every quota and meter event carries its running total, so each row is a register of the
//! latest total: a batch keeps the last event per key and upserts it.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, DocumentQuota, MeterEvent, QuotaEvent, RetrievalMeter};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::projector::{decode, handles};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS usage_documents (
    tenant_id uuid   PRIMARY KEY,
    documents bigint NOT NULL,
    pages     bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_retrievals (
    tenant_id uuid   NOT NULL,
    month     text   NOT NULL,
    total     bigint NOT NULL,
    PRIMARY KEY (tenant_id, month)
);";

const QUOTA_EVENTS: &[&str] = &["DocumentAdmitted", "DocumentReleased"];
const METER_EVENTS: &[&str] = &["RetrievalsMetered"];

/// Projects quota and meter streams into the usage tables.
#[derive(Debug, Default, Clone, Copy)]
pub struct Usage;

#[async_trait]
impl Projector for Usage {
    fn name(&self) -> &'static str {
        "usage"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["usage_documents", "usage_retrievals"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, DocumentQuota::TYPE, QUOTA_EVENTS) || handles(event, RetrievalMeter::TYPE, METER_EVENTS)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut documents: HashMap<Uuid, (i64, i64)> = HashMap::new();
        let mut retrievals: HashMap<(Uuid, String), i64> = HashMap::new();
        for event in events {
            if handles(event, DocumentQuota::TYPE, QUOTA_EVENTS) {
                let tenant = Uuid::parse_str(&event.stream.aggregate_id)
                    .map_err(|e| ProjectionError::decode(event, format!("stream id is not a tenant id: {e}")))?;
                let (QuotaEvent::DocumentAdmitted { documents_total, pages_total, .. }
                | QuotaEvent::DocumentReleased { documents_total, pages_total, .. }) = decode(event)?;
                documents.insert(tenant, (count(documents_total), count(pages_total)));
            } else if handles(event, RetrievalMeter::TYPE, METER_EVENTS) {
                let MeterEvent::RetrievalsMetered { tenant_id, month, total, .. } = decode(event)?;
                retrievals.insert((tenant_id.as_uuid(), month.to_string()), count(total));
            }
        }
        if !documents.is_empty() {
            let (mut tenants, mut docs, mut pages) = (vec![], vec![], vec![]);
            for (tenant, (d, p)) in documents {
                tenants.push(tenant);
                docs.push(d);
                pages.push(p);
            }
            sqlx::query(
                "INSERT INTO usage_documents SELECT * FROM unnest($1::uuid[], $2::int8[], $3::int8[])
                 ON CONFLICT (tenant_id) DO UPDATE SET documents = EXCLUDED.documents, pages = EXCLUDED.pages",
            )
            .bind(&tenants)
            .bind(&docs)
            .bind(&pages)
            .execute(&mut **tx)
            .await?;
        }
        if !retrievals.is_empty() {
            let (mut tenants, mut months, mut totals) = (vec![], vec![], vec![]);
            for ((tenant, month), total) in retrievals {
                tenants.push(tenant);
                months.push(month);
                totals.push(total);
            }
            sqlx::query(
                "INSERT INTO usage_retrievals SELECT * FROM unnest($1::uuid[], $2::text[], $3::int8[])
                 ON CONFLICT (tenant_id, month) DO UPDATE SET total = EXCLUDED.total",
            )
            .bind(&tenants)
            .bind(&months)
            .bind(&totals)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

fn count(total: u64) -> i64 {
    i64::try_from(total).unwrap_or(i64::MAX)
}
