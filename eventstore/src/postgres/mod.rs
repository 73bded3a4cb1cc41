//! The PostgreSQL backend, the production store.
//!
//! Why not postgres-es's `PostgresEventRepository`: it keeps no order across streams (replays
//! sort by per-aggregate sequence), writes one round trip per event, and has no place for the
//! hash chain, sealed personal data, idempotency keys or multi-stream atomic appends. We keep its
//! table conventions (column names, `(aggregate_type, aggregate_id, sequence)` unique key whose
//! violation is the concurrency conflict) and cqrs-es's event contract and upcasters.

mod append;
mod heads;
mod keys;
mod read;
pub mod verify;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::position::Position;
use crate::sealing::{DataKey, KeyEncryptionKey};
use crate::upcast::Upcasters;

/// The channel on which appends are announced to other processes (`LISTEN ctxi_events`).
pub const NOTIFY_CHANNEL: &str = "ctxi_events";

/// The migrations of the event store (and the projector checkpoint table).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The event store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    kek: KeyEncryptionKey,
    upcasters: Upcasters,
    appended: watch::Sender<Position>,
    /// Data keys this process seals with (see `keys.rs`).
    key_cache: Arc<Mutex<HashMap<String, DataKey>>>,
    /// Hash of each stream's event at a known version (see `heads.rs`).
    heads: heads::KnownHeads,
}

impl PostgresStore {
    /// A store over `pool`. Must be called inside a tokio runtime: it starts the task that
    /// announces appends to other processes.
    pub fn new(pool: PgPool, kek: KeyEncryptionKey) -> Self {
        let (appended, _) = watch::channel(Position::START);
        tokio::spawn(announce_appends(pool.clone(), appended.subscribe()));
        Self {
            pool,
            kek,
            upcasters: Upcasters::default(),
            appended,
            key_cache: Arc::default(),
            heads: heads::KnownHeads::default(),
        }
    }

    pub fn with_upcasters(mut self, upcasters: Upcasters) -> Self {
        self.upcasters = upcasters;
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Wakes whenever this process appends; other processes' appends arrive by NOTIFY.
    pub fn subscribe(&self) -> watch::Receiver<Position> {
        self.appended.subscribe()
    }

    /// The last position of an event committed before this call, whether or not readers may
    /// see it yet (an older transaction still open holds readers back): once every read model
    /// has reached it, they include everything appended before the call.
    pub async fn last_committed(&self) -> Result<Position, sqlx::Error> {
        let raw: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM events").fetch_one(&self.pool).await?;
        Ok(Position::from_raw(raw.unwrap_or(0)))
    }

    /// The last position a reader may see now.
    pub async fn head(&self) -> Result<Position, sqlx::Error> {
        let raw: Option<i64> = sqlx::query_scalar(
            "SELECT max(position) FROM events
              WHERE position < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Position::from_raw(raw.unwrap_or(0)))
    }
}

/// How often, at most, appends are announced to other processes. Followers in this process
/// wake at once through the watch channel; others also poll.
const ANNOUNCE_EVERY: Duration = Duration::from_millis(20);

/// Sends one NOTIFY per burst of appends, outside the appending transactions: a NOTIFY inside
/// them would take PostgreSQL's global notify lock at every commit and serialise the writers,
/// and one per append would cost a round trip each. The first append after a quiet spell is
/// announced at once (a write on another instance waits for projectors here to see it); those
/// that follow within [`ANNOUNCE_EVERY`] go out together after it.
async fn announce_appends(pool: PgPool, mut appended: watch::Receiver<Position>) {
    while appended.changed().await.is_ok() {
        let position = *appended.borrow_and_update();
        let sent = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(NOTIFY_CHANNEL)
            .bind(position.to_string())
            .execute(&pool)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not announce appended events; pollers will catch up");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(ANNOUNCE_EVERY).await;
    }
}

/// Connection options shared by the CLI and the server.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub max_connections: u32,
    /// `SET ROLE` to this role on every connection, so the application runs without the
    /// privilege to rewrite events (see the migrations' `ctxi_app`).
    pub role: Option<String>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_connections: 16, role: None }
    }
}

/// Opens a pool. Idle transactions are cut off after a minute: an abandoned open transaction
/// would hold back every reader of the global order. JIT compilation is off: every query here
/// runs in milliseconds, and a plan whose estimate crosses `jit_above_cost` spends 100 ms and
/// more compiling (the projectors' status query, run on every metrics scrape, spent 135 ms in
/// JIT to execute in 0.1 ms).
pub async fn connect(options: PgConnectOptions, config: &PoolConfig) -> Result<PgPool, sqlx::Error> {
    let options = options.options([("jit", "off")]);
    let role = config.role.clone();
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings every connection it hands out: a round trip per append. Broken connections
        // surface as errors on use instead, and idle ones are recycled.
        .test_before_acquire(false)
        .idle_timeout(Duration::from_secs(300))
        .after_connect(move |conn, _meta| {
            let role = role.clone();
            Box::pin(async move {
                sqlx::query("SET idle_in_transaction_session_timeout = '60s'").execute(&mut *conn).await?;
                if let Some(role) = role {
                    sqlx::query(&format!("SET ROLE \"{}\"", role.replace('"', "\"\""))).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
}
