//! `ctxi audit verify`: recompute the hash chain in global order and name the first break.

use std::collections::{HashMap, HashSet};

use sqlx::{PgPool, Row};

use crate::error::StoreError;
use crate::event::StreamId;
use crate::hash::{Hash, GENESIS};
use crate::position::Position;
use crate::prepare::StoredEvent;

const BATCH: i64 = 20_000;

/// The first place where the stored log disagrees with its own hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub position: Position,
    pub stream: StreamId,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: u64,
    pub first_break: Option<ChainBreak>,
}

/// Verifies events with positions in `from..=to` (whole log by default). `progress` is called
/// after each batch with the number checked so far.
pub async fn verify_chain(
    pool: &PgPool,
    from: Option<Position>,
    to: Option<Position>,
    mut progress: impl FnMut(u64),
) -> Result<VerifyReport, StoreError> {
    let to = to.map_or(i64::MAX, Position::raw);
    let mut after = from.map_or(0, |p| p.raw() - 1);
    let mut tails: HashMap<StreamId, (i64, Hash)> = HashMap::new();
    let mut checked = 0;
    loop {
        let batch = fetch_batch(pool, after, to).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        load_predecessors(pool, &batch, &mut tails).await?;
        for event in &batch {
            if let Some(reason) = check(event, &tails) {
                let first_break =
                    ChainBreak { position: Position::from_raw(event.position), stream: event.stream.clone(), reason };
                return Ok(VerifyReport { checked, first_break: Some(first_break) });
            }
            tails.insert(event.stream.clone(), (event.sequence, event.hash));
            checked += 1;
        }
        progress(checked);
    }
    Ok(VerifyReport { checked, first_break: None })
}

fn check(event: &StoredEvent, tails: &HashMap<StreamId, (i64, Hash)>) -> Option<String> {
    let (prev_sequence, prev_hash) = tails.get(&event.stream).copied().unwrap_or((0, GENESIS));
    if event.sequence != prev_sequence + 1 {
        return Some(format!(
            "{} sequence {} follows sequence {prev_sequence}: an event is missing or moved",
            event.stream, event.sequence
        ));
    }
    if event.prev_hash != prev_hash {
        return Some(format!("{} sequence {}: predecessor hash does not match", event.stream, event.sequence));
    }
    if event.hashed_fields().hash() != event.hash {
        return Some(format!("{} sequence {}: contents do not match the stored hash", event.stream, event.sequence));
    }
    None
}

async fn fetch_batch(pool: &PgPool, after: i64, to: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version,
                payload::text AS payload, metadata::text AS metadata, prev_hash, hash
           FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3",
    )
    .bind(after)
    .bind(to)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let position: i64 = row.try_get("position")?;
            let bytes = |name: &str| -> Result<Hash, StoreError> {
                let v: Vec<u8> = row.try_get(name)?;
                v.try_into().map_err(|_| StoreError::Corrupt { position, reason: format!("{name} is not 32 bytes") })
            };
            Ok(StoredEvent {
                position,
                stream: StreamId::new(
                    row.try_get::<String, _>("aggregate_type")?,
                    row.try_get::<String, _>("aggregate_id")?,
                ),
                sequence: row.try_get("sequence")?,
                event_type: row.try_get("event_type")?,
                event_version: row.try_get("event_version")?,
                payload: row.try_get("payload")?,
                metadata: row.try_get("metadata")?,
                prev_hash: bytes("prev_hash")?,
                hash: bytes("hash")?,
            })
        })
        .collect()
}

/// When verification starts mid-log, a stream's predecessor lies before the range: take its
/// stored hash as the anchor.
async fn load_predecessors(
    pool: &PgPool,
    batch: &[StoredEvent],
    tails: &mut HashMap<StreamId, (i64, Hash)>,
) -> Result<(), StoreError> {
    let mut first_seen = HashSet::new();
    for e in batch {
        let first_in_batch = first_seen.insert(e.stream.clone());
        if first_in_batch && e.sequence > 1 && !tails.contains_key(&e.stream) {
            let found: Option<Vec<u8>> = sqlx::query(
                "SELECT hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
            )
            .bind(&e.stream.aggregate_type)
            .bind(&e.stream.aggregate_id)
            .bind(e.sequence - 1)
            .fetch_optional(pool)
            .await?
            .map(|row| row.try_get("hash"))
            .transpose()?;
            if let Some(hash) = found.and_then(|h| Hash::try_from(h).ok()) {
                tails.insert(e.stream.clone(), (e.sequence - 1, hash));
            }
        }
    }
    Ok(())
}
