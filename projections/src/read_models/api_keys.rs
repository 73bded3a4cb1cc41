//! `api_keys`: issued keys, found by prefix when a request presents one, listed by project.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{ApiKey, ApiKeyEvent, Decide};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL,
    project_id  uuid        NOT NULL,
    name        text        NOT NULL,
    prefix      text        NOT NULL,
    secret_hash text        NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);";

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS api_keys_by_project ON api_keys (project_id);
CREATE INDEX IF NOT EXISTS api_keys_by_prefix ON api_keys (prefix);";

const HANDLED: &[&str] = &["ApiKeyIssued", "ApiKeyRevoked"];

/// Projects API key streams into `api_keys`. Only the prefix and the hash of the key are known
/// to the events, so only they are stored. The prefix index is not unique: prefixes are random
/// and a collision must not stop the projector; the hash tells colliding keys apart.
#[derive(Debug, Default, Clone, Copy)]
pub struct ApiKeys;

struct Issued {
    tenant_id: Uuid,
    project_id: Uuid,
    name: String,
    prefix: String,
    secret_hash: String,
    at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

/// Columns of keys issued in this batch.
#[derive(Default)]
struct NewRows {
    ids: Vec<Uuid>,
    tenants: Vec<Uuid>,
    projects: Vec<Uuid>,
    names: Vec<String>,
    prefixes: Vec<String>,
    hashes: Vec<String>,
    created: Vec<OffsetDateTime>,
    revoked: Vec<Option<OffsetDateTime>>,
}

#[async_trait]
impl Projector for ApiKeys {
    fn name(&self) -> &'static str {
        "api_keys"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["api_keys"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, ApiKey::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut issued: HashMap<Uuid, Issued> = HashMap::new();
        let mut revoked: HashMap<Uuid, OffsetDateTime> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let id = stream_uuid(event)?;
            match decode::<ApiKeyEvent>(event)? {
                ApiKeyEvent::ApiKeyIssued { tenant_id, project_id, name, prefix, secret_hash, at, .. } => {
                    let (tenant_id, project_id) = (tenant_id.as_uuid(), project_id.as_uuid());
                    let key = Issued { tenant_id, project_id, name, prefix, secret_hash, at, revoked_at: None };
                    issued.insert(id, key);
                }
                ApiKeyEvent::ApiKeyRevoked { at } => match issued.get_mut(&id) {
                    Some(key) => key.revoked_at = Some(at),
                    None => {
                        revoked.insert(id, at);
                    }
                },
            }
        }
        if !issued.is_empty() {
            let mut new = NewRows::default();
            for (id, key) in issued {
                new.ids.push(id);
                new.tenants.push(key.tenant_id);
                new.projects.push(key.project_id);
                new.names.push(key.name);
                new.prefixes.push(key.prefix);
                new.hashes.push(key.secret_hash);
                new.created.push(key.at);
                new.revoked.push(key.revoked_at);
            }
            sqlx::query(
                "INSERT INTO api_keys (key_id, tenant_id, project_id, name, prefix, secret_hash, created_at, revoked_at)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                                      $7::timestamptz[], $8::timestamptz[])",
            )
            .bind(&new.ids)
            .bind(&new.tenants)
            .bind(&new.projects)
            .bind(&new.names)
            .bind(&new.prefixes)
            .bind(&new.hashes)
            .bind(&new.created)
            .bind(&new.revoked)
            .execute(&mut **tx)
            .await?;
        }
        if !revoked.is_empty() {
            let (ids, ats): (Vec<Uuid>, Vec<OffsetDateTime>) = revoked.into_iter().unzip();
            sqlx::query(
                "UPDATE api_keys k SET revoked_at = c.revoked_at
                   FROM unnest($1::uuid[], $2::timestamptz[]) AS c(key_id, revoked_at)
                  WHERE k.key_id = c.key_id",
            )
            .bind(&ids)
            .bind(&ats)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
