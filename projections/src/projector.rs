//! The contract every read model fulfils, and the helpers projectors share.

use async_trait::async_trait;
use eventstore::RecordedEvent;
use serde::de::DeserializeOwned;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use crate::ProjectionError;

/// Builds one read model from the global order of events.
///
/// The runner calls [`apply`](Projector::apply) with consecutive batches, inside the
/// transaction that also moves the projector's checkpoint, so each batch takes effect exactly
/// once. A rebuild calls it with the same events in bigger batches against fresh tables, so the
/// rows must be a deterministic function of the events (no `now()`, no randomness) and must not
/// depend on how the events were cut into batches.
#[async_trait]
pub trait Projector: Send + Sync + 'static {
    /// The checkpoint key and the name `ctxi projections rebuild NAME` takes; lowercase ASCII.
    fn name(&self) -> &'static str;

    /// The tables this projector owns, unqualified. A rebuild replaces exactly these.
    fn tables(&self) -> &'static [&'static str];

    /// `CREATE TABLE` statements (with primary keys) using unqualified names, run with
    /// `search_path` set to the target schema (`public` for the live tables, a scratch schema
    /// for a rebuild). `IF NOT EXISTS` keeps them idempotent.
    fn schema(&self) -> &'static str;

    /// `CREATE INDEX` statements for secondary indexes, unqualified likewise. Setup runs them
    /// right after [`schema`](Projector::schema); a rebuild runs them after its bulk load, where
    /// building an index in one sort costs a fraction of maintaining it row by row.
    fn indexes(&self) -> &'static str {
        ""
    }

    /// Work on systems other than the read models (appending events, say), done for a batch
    /// before its transaction opens: an open transaction that holds an id keeps every reader of
    /// the log from seeing later events, so slow work must not run inside it. It must be
    /// idempotent: after a crash the batch runs again. Read models leave it empty.
    async fn effects(&self, _events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        Ok(())
    }

    /// Whether `apply` or `effects` does anything with `event`. A batch without one only moves
    /// the checkpoint, in one statement rather than a transaction: most of the log concerns a
    /// read model or two (every metered retrieval appends an event only `usage` reads). The
    /// default, every event, is always correct.
    fn acts_on(&self, _event: &RecordedEvent) -> bool {
        true
    }

    /// Projects one batch. Events it does not handle are ignored. It folds the batch in memory
    /// and writes with a few multi-row statements, with unqualified table names.
    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError>;
}

impl std::fmt::Debug for dyn Projector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projector").field("name", &self.name()).finish()
    }
}

/// Deserialises a domain event straight from the payload, without copying the JSON tree.
pub(crate) fn decode<E: DeserializeOwned>(event: &RecordedEvent) -> Result<E, ProjectionError> {
    E::deserialize(&event.payload).map_err(|e| ProjectionError::decode(event, e))
}

/// The id of the aggregate whose stream holds `event`, for events that do not repeat it.
pub(crate) fn stream_uuid(event: &RecordedEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&event.stream.aggregate_id)
        .map_err(|e| ProjectionError::decode(event, format!("stream id is not a UUID: {e}")))
}

/// Whether `event` is one of `types` in streams of `aggregate_type`: cheap string checks that
/// spare decoding events a projector ignores.
pub(crate) fn handles(event: &RecordedEvent, aggregate_type: &str, types: &[&str]) -> bool {
    event.stream.aggregate_type == aggregate_type && types.contains(&event.event_type.as_str())
}

/// A quoted SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Runs DDL text (several statements), if there is any.
pub(crate) async fn run_ddl(conn: &mut PgConnection, ddl: &str) -> Result<(), sqlx::Error> {
    if !ddl.trim().is_empty() {
        sqlx::raw_sql(ddl).execute(conn).await?;
    }
    Ok(())
}

/// Points unqualified names at `schema` until the end of the current transaction.
pub(crate) async fn use_schema(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('search_path', $1, true)").bind(quote_ident(schema)).execute(conn).await?;
    Ok(())
}
