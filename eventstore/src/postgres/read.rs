//! Reading: a stream for loading aggregates, the global order for projectors.

use std::collections::BTreeSet;

use async_trait::async_trait;
use domain::SubjectId;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::PostgresStore;
use crate::error::{AppendError, StoreError};
use crate::event::{AppendRequest, Committed, Idempotency, RecordedEvent, StreamId};
use crate::hash::Hash;
use crate::metadata::EventMetadata;
use crate::position::Position;
use crate::sealing;
use crate::store::EventStore;

const COLUMNS: &str = "position, aggregate_type, aggregate_id, sequence, event_type, event_version, \
                       payload::text AS payload, metadata::text AS metadata, hash";

#[async_trait]
impl EventStore for PostgresStore {
    async fn append(&self, request: AppendRequest) -> Result<Committed, AppendError> {
        self.append_events(request).await
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
        ))
        .bind(&stream.aggregate_type)
        .bind(&stream.aggregate_id)
        .fetch_all(&self.pool)
        .await?;
        // Loading an aggregate usually precedes appending to it: remember where it ends.
        if let Some(last) = rows.last() {
            if let Ok(hash) = Hash::try_from(last.try_get::<Vec<u8>, _>(8)?) {
                self.heads.remember(stream, last.try_get::<i64, _>(3)?.unsigned_abs(), hash);
            }
        }
        self.decode_rows(rows).await
    }

    async fn read_last(&self, stream: &StreamId) -> Result<Option<RecordedEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2
              ORDER BY sequence DESC LIMIT 1"
        ))
        .bind(&stream.aggregate_type)
        .bind(&stream.aggregate_id)
        .fetch_all(&self.pool)
        .await?;
        if let Some(last) = rows.first() {
            if let Ok(hash) = Hash::try_from(last.try_get::<Vec<u8>, _>(8)?) {
                self.heads.remember(stream, last.try_get::<i64, _>(3)?.unsigned_abs(), hash);
            }
        }
        Ok(self.decode_rows(rows).await?.pop())
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        // The LIMIT sits on a plain index range; the horizon filters its result. With the
        // horizon in the same WHERE, the planner misjudges its selectivity and, past a few
        // thousand rows, sorts the whole rest of the log on every call.
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM (
                SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2) AS e
              WHERE position < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)
              ORDER BY position"
        ))
        .bind(after.raw())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        self.decode_rows(rows).await
    }

    async fn replay(&self, idempotency: &Idempotency) -> Result<Option<Committed>, AppendError> {
        self.outcome_of(idempotency).await
    }

    async fn shred(&self, subject: &SubjectId) -> Result<bool, StoreError> {
        self.delete_key(subject).await
    }
}

struct RawEvent {
    position: i64,
    stream: StreamId,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
    /// Whether the payload holds sealed values (most events hold none).
    sealed: bool,
    metadata: String,
}

impl PostgresStore {
    /// Parses a batch, fetches the data keys its sealed values need in one query, and opens them.
    async fn decode_rows(&self, rows: Vec<PgRow>) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut raw = Vec::with_capacity(rows.len());
        let mut subjects = BTreeSet::new();
        // Columns by index, in the order of COLUMNS: name lookups cost more than the decoding.
        for row in rows {
            let position: i64 = row.try_get(0)?;
            let text: &str = row.try_get(6)?;
            let payload: Value =
                serde_json::from_str(text).map_err(|e| StoreError::Corrupt { position, reason: e.to_string() })?;
            let sealed = text.contains(sealing::SEALED_TAG);
            if sealed {
                sealing::sealed_subjects(&payload, &mut subjects);
            }
            raw.push(RawEvent {
                position,
                stream: StreamId { aggregate_type: row.try_get(1)?, aggregate_id: row.try_get(2)? },
                sequence: row.try_get(3)?,
                event_type: row.try_get(4)?,
                event_version: row.try_get(5)?,
                payload,
                sealed,
                metadata: row.try_get(7)?,
            });
        }
        let keys = self.keys_for_reading(&subjects).await?;
        // The events of one append share their metadata text: parse it once per append.
        let mut last_metadata: Option<(String, EventMetadata)> = None;
        raw.into_iter()
            .map(|mut e| {
                if e.sealed {
                    sealing::open(&mut e.payload, &keys)?;
                }
                let metadata = match &last_metadata {
                    Some((text, parsed)) if *text == e.metadata => parsed.clone(),
                    _ => {
                        let parsed: EventMetadata = serde_json::from_str(&e.metadata)
                            .map_err(|err| StoreError::Corrupt { position: e.position, reason: err.to_string() })?;
                        last_metadata = Some((e.metadata, parsed.clone()));
                        parsed
                    }
                };
                Ok(self.upcasters.apply(RecordedEvent {
                    position: Position::from_raw(e.position),
                    stream: e.stream,
                    sequence: e.sequence.unsigned_abs(),
                    event_type: e.event_type,
                    event_version: e.event_version,
                    payload: e.payload,
                    metadata,
                }))
            })
            .collect()
    }
}
