//! `email_claims`: which user holds each claimed email address, by the claim's stream id.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, EmailClaim, EmailClaimEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::projector::{decode, handles};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS email_claims (
    claim_id text PRIMARY KEY,
    user_id  uuid NOT NULL
);";

const HANDLED: &[&str] = &["EmailClaimed"];

/// Projects email claim streams into `email_claims`. The stream id is a keyed hash of the
/// normalised address, so signing in computes it from the typed address and finds the user
/// here (then reads `users`), without any address stored in clear for the lookup.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmailClaims;

#[async_trait]
impl Projector for EmailClaims {
    fn name(&self) -> &'static str {
        "email_claims"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["email_claims"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, EmailClaim::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut claims: HashMap<&str, Uuid> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let EmailClaimEvent::EmailClaimed { user_id, .. } = decode::<EmailClaimEvent>(event)?;
            claims.insert(&event.stream.aggregate_id, user_id.as_uuid());
        }
        if !claims.is_empty() {
            let (ids, users): (Vec<&str>, Vec<Uuid>) = claims.into_iter().unzip();
            sqlx::query(
                "INSERT INTO email_claims (claim_id, user_id)
                 SELECT * FROM unnest($1::text[], $2::uuid[])",
            )
            .bind(&ids)
            .bind(&users)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
