//! Appending: one round trip, the call of `ctxi_append` (see the migration), which checks
//! expected versions, assigns positions, chains hashes and records the command's outcome in
//! the database, under no lock shared between streams. Sealing stays here: the key-encryption
//! key never leaves the application.

use std::collections::HashMap;

use sqlx::postgres::PgDatabaseError;
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use crate::error::{AppendError, StoreError};
use crate::event::{AppendRequest, Committed, ExpectedVersion, Idempotency, StreamId};
use crate::hash::{content_digest, Hash};
use crate::position::Position;
use crate::prepare;
use crate::sealing::DataKey;

/// Raised by `ctxi_append` for a stale expected version.
const CONFLICT: &str = "CX001";
/// Raised by `ctxi_append` when a data key differs from the one the payload was sealed with.
const KEY_CHANGED: &str = "CX002";
/// Raised when a data key would be created for a subject that was shredded.
const SUBJECT_ERASED: &str = "CX003";

impl PostgresStore {
    pub(super) async fn append_events(&self, request: AppendRequest) -> Result<Committed, AppendError> {
        prepare::validate(&request)?;
        let result = {
            let mut conn = self.pool.acquire().await?;
            self.append_on(&mut conn, &request, false).await
        };
        match result {
            Ok(committed) => {
                self.announce(committed.position);
                Ok(committed)
            }
            Err(e) => self.explain_failure(&request, e).await,
        }
    }

    /// Appends inside the caller's transaction: the events become visible when it commits.
    /// The caller calls [`PostgresStore::announce`] after committing.
    pub async fn append_in(&self, conn: &mut PgConnection, request: &AppendRequest) -> Result<Committed, AppendError> {
        prepare::validate(request)?;
        self.append_on(conn, request, true).await
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

    /// `in_transaction`: the connection is inside the caller's transaction, so a failed attempt
    /// is rolled back to a savepoint instead of aborting it.
    async fn append_on(
        &self,
        conn: &mut PgConnection,
        request: &AppendRequest,
        in_transaction: bool,
    ) -> Result<Committed, AppendError> {
        let subjects = prepare::subjects(request);
        // A subject this process holds no key for gets a fresh key; when the subject already
        // had one, ctxi_append refuses (CX002) and the next pass seals with the stored key. A
        // third pass covers a key shredded in between, which ends in CX003: a shredded subject
        // never gets a key again (see migration 0003).
        for _ in 0..3 {
            let sealing = self.sealing_keys(&subjects);
            if in_transaction {
                sqlx::query("SAVEPOINT ctxi_append").execute(&mut *conn).await?;
            }
            let attempt = self.call_append(conn, request, &sealing).await;
            if in_transaction {
                let end =
                    if attempt.is_ok() { "RELEASE SAVEPOINT ctxi_append" } else { "ROLLBACK TO SAVEPOINT ctxi_append" };
                sqlx::query(end).execute(&mut *conn).await?;
            }
            match attempt {
                Ok(committed) => {
                    self.remember(sealing.keys);
                    return Ok(committed);
                }
                Err(e) if sqlstate(&e).as_deref() == Some(SUBJECT_ERASED) => {
                    let subject = e.database_detail().unwrap_or_default();
                    return Err(crate::sealing::SealingError::SubjectErased(subject).into());
                }
                Err(e) if sqlstate(&e).as_deref() == Some(KEY_CHANGED) => {
                    self.forget(e.database_detail().as_deref().unwrap_or_default());
                    self.load_keys(&subjects).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(crate::sealing::SealingError::MissingKey(subjects.into_iter().next().unwrap_or_default()).into())
    }

    /// After a failed call: a retried command answers with its first outcome; a unique
    /// violation or CX001 is a concurrency conflict.
    async fn explain_failure(&self, request: &AppendRequest, e: AppendError) -> Result<Committed, AppendError> {
        if let Some(idempotency) = &request.idempotency {
            if let Some(first) = self.outcome_of(idempotency).await? {
                return Ok(first);
            }
        }
        let AppendError::Store(StoreError::Database(db)) = &e else { return Err(e) };
        if sqlstate(&e).as_deref() == Some(CONFLICT) {
            // DETAIL names the stream (1-based) and the version found.
            let detail = e.database_detail().unwrap_or_default();
            let parsed =
                detail.split_once(':').and_then(|(i, v)| Some((i.parse::<usize>().ok()?, v.parse::<u64>().ok()?)));
            if let Some(s) = parsed.and_then(|(i, actual)| Some((request.streams.get(i.checked_sub(1)?)?, actual))) {
                let (s, actual) = s;
                return Err(AppendError::Conflict { stream: s.stream.clone(), expected: s.expected, actual });
            }
        }
        // Two appends read the same head and the other committed first.
        let lost_race = db.as_database_error().and_then(|d| d.constraint()) == Some("events_stream_sequence");
        if lost_race {
            for s in &request.streams {
                let actual = self.stream_version(&s.stream).await?;
                if !s.expected.admits(actual) || s.expected == ExpectedVersion::Any {
                    return Err(AppendError::Conflict { stream: s.stream.clone(), expected: s.expected, actual });
                }
            }
        }
        Err(e)
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, sqlx::Error> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT max(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2")
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
}

fn decode_outcome(text: &str) -> Result<Committed, StoreError> {
    let mut committed: Committed = serde_json::from_str(text)?;
    committed.replayed = true;
    Ok(committed)
}

fn sqlstate(e: &AppendError) -> Option<String> {
    match e {
        AppendError::Store(StoreError::Database(db)) => {
            db.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned())
        }
        _ => None,
    }
}

impl AppendError {
    /// The DETAIL of a PostgreSQL error, where ctxi_append names what went wrong.
    fn database_detail(&self) -> Option<String> {
        let AppendError::Store(StoreError::Database(db)) = self else { return None };
        let pg = db.as_database_error()?.try_downcast_ref::<PgDatabaseError>()?;
        pg.detail().map(str::to_owned)
    }
}

/// The data keys to seal with: those already stored (which must still exist) and fresh ones,
/// with their wrapped form, to record.
#[derive(Debug, Default)]
pub(super) struct SealingKeys {
    pub keys: HashMap<String, DataKey>,
    pub fresh: HashMap<String, Vec<u8>>,
}

impl PostgresStore {
    async fn call_append(
        &self,
        conn: &mut PgConnection,
        request: &AppendRequest,
        sealing: &SealingKeys,
    ) -> Result<Committed, AppendError> {
        let payloads = prepare::seal_payloads(request, &sealing.keys)?;
        let metadata = serde_json::to_string(&request.metadata)?;
        let types: Vec<&str> = request.streams.iter().map(|s| s.stream.aggregate_type.as_str()).collect();
        let ids: Vec<&str> = request.streams.iter().map(|s| s.stream.aggregate_id.as_str()).collect();
        let expected: Vec<i64> = request
            .streams
            .iter()
            .map(|s| match s.expected {
                ExpectedVersion::Any => -1,
                ExpectedVersion::NoStream => 0,
                ExpectedVersion::Exactly(v) => prepare::to_i64(v),
            })
            .collect();
        // A remembered head hash lets ctxi_append skip looking the head up, because the unique
        // (stream, sequence) key still refuses a stale one. A condition appends nothing for that
        // key to refuse: its head is always looked up.
        let prev_hashes: Vec<Option<Vec<u8>>> = request
            .streams
            .iter()
            .map(|s| match s.events.is_empty() {
                true => None,
                false => self.heads.prev_hash(&s.stream, s.expected).map(|h| h.to_vec()),
            })
            .collect();
        let events: Vec<(i32, &crate::NewEvent)> =
            request.streams.iter().zip(1..).flat_map(|(s, index)| s.events.iter().map(move |e| (index, e))).collect();
        let event_stream: Vec<i32> = events.iter().map(|(i, _)| *i).collect();
        let event_types: Vec<&str> = events.iter().map(|(_, e)| e.event_type.as_str()).collect();
        let event_versions: Vec<&str> = events.iter().map(|(_, e)| e.event_version.as_str()).collect();
        let contents: Vec<Vec<u8>> = events
            .iter()
            .zip(&payloads)
            .map(|((stream, e), payload)| {
                let s = &request.streams[(*stream - 1) as usize].stream;
                content_digest(&s.aggregate_type, &s.aggregate_id, &e.event_type, &e.event_version, &metadata, payload)
                    .to_vec()
            })
            .collect();
        let (mut known_subjects, mut known_ids) = (Vec::new(), Vec::new());
        let (mut fresh_subjects, mut fresh_ids, mut fresh_wrapped) = (Vec::new(), Vec::new(), Vec::new());
        for (subject, key) in &sealing.keys {
            match sealing.fresh.get(subject) {
                Some(wrapped) => {
                    fresh_subjects.push(subject.as_str());
                    fresh_ids.push(key.id);
                    fresh_wrapped.push(wrapped.as_slice());
                }
                None => {
                    known_subjects.push(subject.as_str());
                    known_ids.push(key.id);
                }
            }
        }
        let row = sqlx::query("SELECT last_position, versions, head_hashes FROM ctxi_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::json)")
        .bind(&types)
        .bind(&ids)
        .bind(&expected)
        .bind(&prev_hashes)
        .bind(&event_stream)
        .bind(&event_types)
        .bind(&event_versions)
        .bind(&payloads)
        .bind(&contents)
        .bind(&metadata)
        .bind(&known_subjects)
        .bind(&known_ids)
        .bind(&fresh_subjects)
        .bind(&fresh_ids)
        .bind(&fresh_wrapped)
        .bind(request.idempotency.as_ref().map(|i| i.command_id))
        .bind(request.idempotency.as_ref().map(|i| &i.fingerprint[..]))
        .bind(serde_json::to_string(&request.result)?)
        .fetch_one(&mut *conn)
        .await?;
        let last: i64 = row.try_get("last_position")?;
        let versions: Vec<i64> = row.try_get("versions")?;
        let head_hashes: Vec<Vec<u8>> = row.try_get("head_hashes")?;
        for ((s, version), hash) in request.streams.iter().zip(&versions).zip(head_hashes) {
            if let Ok(hash) = Hash::try_from(hash) {
                self.heads.remember(&s.stream, version.unsigned_abs(), hash);
            }
        }
        Ok(Committed {
            position: Position::from_raw(last),
            versions: request.streams.iter().zip(versions).map(|(s, v)| (s.stream.clone(), v.unsigned_abs())).collect(),
            result: request.result.clone(),
            replayed: false,
        })
    }
}
