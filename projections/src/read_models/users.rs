//! `users`: who can sign in, with their email and name while they are not erased.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Personal, User, UserEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    user_id    uuid        PRIMARY KEY,
    email      text,
    name       text,
    erased     boolean     NOT NULL,
    created_at timestamptz NOT NULL
);";

const HANDLED: &[&str] = &["UserRegistered", "UserRenamed"];

/// Projects user streams into `users`. Email and name are NULL, and `erased` true, once the
/// user's personal data has been shredded: the store then reads every value back as erased, so
/// a rebuild after `shred` drops them from the read model too. No password hash is kept here:
/// signing in loads the user's stream.
#[derive(Debug, Default, Clone, Copy)]
pub struct Users;

#[derive(Default)]
struct Change {
    registered: Option<(Option<String>, OffsetDateTime)>,
    name: Option<Option<String>>,
    erased: bool,
}

/// Columns of users registered in this batch.
#[derive(Default)]
struct NewRows {
    ids: Vec<Uuid>,
    emails: Vec<Option<String>>,
    names: Vec<Option<String>>,
    erased: Vec<bool>,
    created: Vec<OffsetDateTime>,
}

/// Columns of renames of users registered in earlier batches.
#[derive(Default)]
struct Renames {
    ids: Vec<Uuid>,
    names: Vec<Option<String>>,
    erased: Vec<bool>,
}

/// The value, or `None` once erased; whether it was erased.
fn known(value: Personal<String>) -> (Option<String>, bool) {
    match value {
        Personal::Known { value, .. } => (Some(value), false),
        Personal::Erased { .. } => (None, true),
    }
}

#[async_trait]
impl Projector for Users {
    fn name(&self) -> &'static str {
        "users"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["users"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, User::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut changes: HashMap<Uuid, Change> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let change = changes.entry(stream_uuid(event)?).or_default();
            match decode::<UserEvent>(event)? {
                UserEvent::UserRegistered { email, name, at, .. } => {
                    let ((email, email_erased), (name, name_erased)) = (known(email), known(name));
                    change.registered = Some((email, at));
                    change.name = Some(name);
                    change.erased |= email_erased || name_erased;
                }
                UserEvent::UserRenamed { name, .. } => {
                    let (name, erased) = known(name);
                    change.name = Some(name);
                    change.erased |= erased;
                }
                UserEvent::PasswordChanged { .. } => {}
            }
        }
        let (mut new, mut renamed) = (NewRows::default(), Renames::default());
        for (id, change) in changes {
            match (change.registered, change.name) {
                (Some((email, at)), name) => {
                    new.ids.push(id);
                    new.emails.push(email);
                    new.names.push(name.flatten());
                    new.erased.push(change.erased);
                    new.created.push(at);
                }
                (None, Some(name)) => {
                    renamed.ids.push(id);
                    renamed.names.push(name);
                    renamed.erased.push(change.erased);
                }
                (None, None) => {}
            }
        }
        if !new.ids.is_empty() {
            sqlx::query(
                "INSERT INTO users (user_id, email, name, erased, created_at)
                 SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[], $5::timestamptz[])",
            )
            .bind(&new.ids)
            .bind(&new.emails)
            .bind(&new.names)
            .bind(&new.erased)
            .bind(&new.created)
            .execute(&mut **tx)
            .await?;
        }
        if !renamed.ids.is_empty() {
            sqlx::query(
                "UPDATE users u SET name = c.name, erased = u.erased OR c.erased
                   FROM unnest($1::uuid[], $2::text[], $3::bool[]) AS c(user_id, name, erased)
                  WHERE u.user_id = c.user_id",
            )
            .bind(&renamed.ids)
            .bind(&renamed.names)
            .bind(&renamed.erased)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
