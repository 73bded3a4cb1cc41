//! Appending: one transaction, four round trips (head lookup, data keys when the events carry
//! personal data, the insert, commit), no lock shared between streams.

use std::collections::HashMap;

use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use super::PostgresStore;
use crate::error::{AppendError, StoreError};
use crate::event::{AppendRequest, Committed, Idempotency, StreamId};
use crate::position::Position;
use crate::prepare::{self, StoredEvent, StreamHead};

impl PostgresStore {
    pub(super) async fn append_events(&self, request: AppendRequest) -> Result<Committed, AppendError> {
        prepare::validate(&request)?;
        if let Some(idempotency) = &request.idempotency {
            if let Some(first) = self.outcome_of(idempotency).await? {
                return Ok(first);
            }
        }
        match self.try_append(&request).await {
            Err(AppendError::Store(StoreError::Database(e))) => self.explain_failure(&request, e).await,
            other => other,
        }
    }

    async fn try_append(&self, request: &AppendRequest) -> Result<Committed, AppendError> {
        let mut tx = self.pool.begin().await?;
        let committed = self.append_in(&mut tx, request).await?;
        tx.commit().await?;
        self.announce(committed.position);
        Ok(committed)
    }

    /// Appends inside the caller's transaction: the events become visible when it commits.
    /// The caller must call [`PostgresStore::announce`] after committing, and handles conflicts
    /// itself (this does not look up the outcome of a retried command).
    pub async fn append_in(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        request: &AppendRequest,
    ) -> Result<Committed, AppendError> {
        prepare::validate(request)?;
        let (xid, heads) = transaction_and_heads(tx, request).await?;
        let subjects = prepare::subjects(request);
        let keys = if subjects.is_empty() {
            HashMap::new()
        } else {
            self.keys_for_writing(tx, &subjects).await?
        };
        let (rows, committed) = prepare::prepare(request, &heads, &keys, xid)?;
        insert(tx, &rows, request.idempotency.as_ref(), &committed).await?;
        Ok(committed)
    }

    /// Wakes this process's followers (and, through NOTIFY, other processes') after a commit.
    pub fn announce(&self, position: Position) {
        self.appended.send_if_modified(|last| {
            let newer = position > *last;
            if newer {
                *last = position;
            }
            newer
        });
    }

    /// A unique violation means another append won a race: on a stream (a conflict) or, for a
    /// retried command, on its idempotency key (the first run's outcome is the answer).
    async fn explain_failure(&self, request: &AppendRequest, e: sqlx::Error) -> Result<Committed, AppendError> {
        let constraint = e.as_database_error().and_then(|d| d.constraint()).map(str::to_owned);
        if let Some(idempotency) = &request.idempotency {
            if let Some(first) = self.outcome_of(idempotency).await? {
                return Ok(first);
            }
        }
        if constraint.as_deref() == Some("events_stream_sequence") {
            for s in &request.streams {
                let actual = self.stream_version(&s.stream).await?;
                if !s.expected.admits(actual) || s.expected == crate::ExpectedVersion::Any {
                    return Err(AppendError::Conflict { stream: s.stream.clone(), expected: s.expected, actual });
                }
            }
        }
        Err(e.into())
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, sqlx::Error> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT max(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(&stream.aggregate_type)
        .bind(&stream.aggregate_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(v.map_or(0, |v| v.unsigned_abs()))
    }

    /// The stored outcome of a command, if it completed; an error if the key was reused for a
    /// different request.
    pub(super) async fn outcome_of(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError> {
        let row = sqlx::query("SELECT fingerprint, outcome::text AS outcome FROM command_log WHERE command_id = $1")
            .bind(idempotency.command_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let fingerprint: Vec<u8> = row.try_get("fingerprint")?;
        if fingerprint != idempotency.fingerprint {
            return Err(AppendError::IdempotencyKeyReused(idempotency.command_id));
        }
        Ok(Some(decode_outcome(&row.try_get::<String, _>("outcome")?)?))
    }

    pub(super) async fn stored_outcome(&self, command_id: Uuid) -> Result<Option<Committed>, StoreError> {
        let outcome: Option<String> =
            sqlx::query_scalar("SELECT outcome::text FROM command_log WHERE command_id = $1")
                .bind(command_id)
                .fetch_optional(&self.pool)
                .await?;
        outcome.map(|o| decode_outcome(&o)).transpose()
    }
}

fn decode_outcome(text: &str) -> Result<Committed, StoreError> {
    let mut committed: Committed = serde_json::from_str(text)?;
    committed.replayed = true;
    Ok(committed)
}

/// Assigns this transaction's id (the high bits of its positions) and reads the head of every
/// stream it appends to, in one round trip.
async fn transaction_and_heads(
    tx: &mut Transaction<'_, Postgres>,
    request: &AppendRequest,
) -> Result<(i64, HashMap<StreamId, StreamHead>), AppendError> {
    let types: Vec<&str> = request.streams.iter().map(|s| s.stream.aggregate_type.as_str()).collect();
    let ids: Vec<&str> = request.streams.iter().map(|s| s.stream.aggregate_id.as_str()).collect();
    let rows = sqlx::query(
        "SELECT pg_current_xact_id()::text::bigint AS xid, h.t, h.i, h.sequence, h.hash
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (
             SELECT s.t, s.i, e.sequence, e.hash
               FROM unnest($1::text[], $2::text[]) AS s(t, i)
               CROSS JOIN LATERAL (
                 SELECT sequence, hash FROM events
                  WHERE aggregate_type = s.t AND aggregate_id = s.i
                  ORDER BY sequence DESC LIMIT 1) AS e
           ) AS h ON true",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut xid = 0;
    let mut heads = HashMap::new();
    for row in rows {
        xid = row.try_get("xid")?;
        let Some(t) = row.try_get::<Option<String>, _>("t")? else { continue };
        let i: String = row.try_get("i")?;
        let sequence: i64 = row.try_get("sequence")?;
        let hash: Vec<u8> = row.try_get("hash")?;
        let hash = hash.try_into().map_err(|_| StoreError::Corrupt {
            position: 0,
            reason: format!("hash of {t}-{i} is not 32 bytes"),
        })?;
        heads.insert(StreamId::new(t, i), StreamHead { version: sequence.unsigned_abs(), hash });
    }
    Ok((xid, heads))
}

/// Inserts all rows (and the command's outcome) in one statement.
async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[StoredEvent],
    idempotency: Option<&Idempotency>,
    committed: &Committed,
) -> Result<(), AppendError> {
    let column = |f: fn(&StoredEvent) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    let positions: Vec<i64> = rows.iter().map(|r| r.position).collect();
    let sequences: Vec<i64> = rows.iter().map(|r| r.sequence).collect();
    let prev_hashes: Vec<&[u8]> = rows.iter().map(|r| &r.prev_hash[..]).collect();
    let hashes: Vec<&[u8]> = rows.iter().map(|r| &r.hash[..]).collect();
    let outcome = serde_json::to_string(committed)?;
    sqlx::query(
        "WITH command AS (
           INSERT INTO command_log (command_id, fingerprint, outcome)
           SELECT $11::uuid, $12::bytea, $13::json WHERE $11::uuid IS NOT NULL)
         INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type,
                             event_version, payload, metadata, prev_hash, hash)
         SELECT p, t, i, s, et, ev, pl::json, $8::json, ph, h
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                       $7::text[], $9::bytea[], $10::bytea[]) AS r(p, t, i, s, et, ev, pl, ph, h)",
    )
    .bind(&positions)
    .bind(column(|r| &r.stream.aggregate_type))
    .bind(column(|r| &r.stream.aggregate_id))
    .bind(&sequences)
    .bind(column(|r| &r.event_type))
    .bind(column(|r| &r.event_version))
    .bind(column(|r| &r.payload))
    .bind(rows.first().map(|r| r.metadata.as_str()).unwrap_or("{}"))
    .bind(&prev_hashes)
    .bind(&hashes)
    .bind(idempotency.map(|i| i.command_id))
    .bind(idempotency.map(|i| &i.fingerprint[..]))
    .bind(&outcome)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
