//! One projector's task: take its lock, then follow the global order batch by batch.

use std::sync::Arc;
use std::time::Duration;

use eventstore::{Position, PostgresStore};
use sqlx::{Connection, PgConnection};
use tokio::time::Instant;

use crate::advances::Advances;
use crate::frontier::Frontier;
use crate::lock;
use crate::projector::use_schema;
use crate::runner::RunnerConfig;
use crate::signals::{Stop, Wake};
use crate::tail::Tail;
use crate::{checkpoint, ProjectionError, Projector};

/// The pause before reading again after a batch the projector had nothing to do with.
const IDLE_LINGER: Duration = Duration::from_millis(20);
/// The shortest time from one read to the next after a short batch the projector acted on.
const BUSY_PACE: Duration = Duration::from_millis(10);

/// What the followers of one runner share: one read of the log's tail, one batcher of idle
/// checkpoint moves, and where to publish their commits.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub(crate) tail: Arc<Tail>,
    pub(crate) advances: Advances,
    pub(crate) frontier: Option<Frontier>,
}

/// Runs `projector` until shutdown: waits for its lock, follows, and after any failure logs it,
/// gives the lock up (a standby may do better), backs off and starts over.
#[tracing::instrument(skip_all, fields(projector = projector.name()))]
pub(crate) async fn follow(
    store: PostgresStore,
    shared: Shared,
    projector: Arc<dyn Projector>,
    config: RunnerConfig,
    mut wake: Wake,
    mut stop: Stop,
) {
    let mut backoff = Backoff::new(config.max_backoff);
    while !stop.is_requested() {
        let conn = match lock::acquire(store.pool(), projector.name(), config.lock_retry, &mut stop).await {
            Ok(Some(conn)) => conn,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot take the projector lock");
                stop.sleep(backoff.next()).await;
                continue;
            }
        };
        tracing::info!("running the projector in this instance");
        let mut leader = Leader {
            tail: &shared.tail,
            advances: &shared.advances,
            projector: projector.as_ref(),
            conn,
            batch_size: config.batch_size,
            frontier: shared.frontier.as_ref(),
        };
        let outcome = leader.run(&mut wake, &mut stop, &mut backoff).await;
        // Closing the session releases the advisory lock.
        leader.conn.close().await.ok();
        if let Err(e) = outcome {
            tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "projector failed; retrying");
            stop.sleep(backoff.next()).await;
        }
    }
}

/// The instance that holds a projector's lock, on the connection that holds it.
struct Leader<'a> {
    tail: &'a Tail,
    advances: &'a Advances,
    projector: &'a dyn Projector,
    conn: PgConnection,
    batch_size: usize,
    frontier: Option<&'a Frontier>,
}

impl Leader<'_> {
    /// Projects batches until shutdown (`Ok`) or a failure (`Err`).
    async fn run(&mut self, wake: &mut Wake, stop: &mut Stop, backoff: &mut Backoff) -> Result<(), ProjectionError> {
        let name = self.projector.name();
        // A read model is derived from the log: a batch committed here but lost in a crash is
        // projected again from the durable events (effects are idempotent too), so these
        // commits need not wait for the WAL to reach the disk. Every metered retrieval appends
        // an event that each projector commits a batch for: a flush each would cost more than
        // the retrievals themselves.
        sqlx::query("SET synchronous_commit = off").execute(&mut self.conn).await?;
        checkpoint::ensure(&mut self.conn, name).await?;
        let mut position = checkpoint::read(&mut self.conn, name).await?;
        self.publish(position);
        let (mut linger, mut pace, mut read_at) = (false, false, Instant::now());
        while !stop.is_requested() {
            // After a batch of nothing this projector acts on (metered retrievals, mostly), let
            // such appends gather before reading again: under load every retrieval appends, and
            // a read per append and projector costs more than the retrievals. What it acts on
            // waits at most this long more. After a short batch it acted on (`usage`, under
            // retrieval load), read at most every `BUSY_PACE`: a transaction per append costs
            // more than one per few appends, and the first append after a quiet spell is still
            // projected at once. Neither while catching up (the batch was full), nor when a request
            // waits for the read models (`wake.pause` ends early then).
            let pause = if linger {
                IDLE_LINGER
            } else if pace {
                BUSY_PACE.saturating_sub(read_at.elapsed())
            } else {
                Duration::ZERO
            };
            if !pause.is_zero() && !wake.pause(pause, stop).await {
                break;
            }
            let told = wake.mark_seen();
            read_at = Instant::now();
            let events = self.tail.read(position, self.batch_size, told).await?;
            let full = events.len() >= self.batch_size;
            pace = false;
            if let Some(last) = events.last().map(|e| e.position) {
                let idle = !events.iter().any(|e| self.projector.acts_on(e));
                linger = idle && !full;
                pace = !idle && !full;
                position = self.commit_batch(position, last, &events, idle).await?;
                self.publish(position);
                backoff.reset();
                // A short batch reached the head as of the read, and anything appended since
                // has signalled `wake`: waiting costs nothing, reading again at once would cost
                // a query per projector per append. Unless a rebuild moved the checkpoint.
                if full || position != last {
                    continue;
                }
            }
            tokio::select! {
                _ = wake.wait() => {}
                _ = stop.requested() => {}
            }
        }
        Ok(())
    }

    fn publish(&self, position: Position) {
        if let Some(frontier) = self.frontier {
            frontier.committed(self.projector.name(), position);
        }
    }

    /// Applies `events` (read after `expected`) and moves the checkpoint to `last`, in one
    /// transaction (`idle`: the projector acts on none of them, so only the checkpoint moves).
    /// Returns the checkpoint now in force: `last`, or, if the checkpoint moved since it was
    /// read (a rebuild swapped the tables), the new one, dropping the batch.
    async fn commit_batch(
        &mut self,
        expected: Position,
        last: Position,
        events: &[eventstore::RecordedEvent],
        idle: bool,
    ) -> Result<Position, ProjectionError> {
        let name = self.projector.name();
        if idle {
            let current = self.advances.advance(name, expected, last).await?;
            if current != last {
                tracing::info!(from = %expected, to = %current, "checkpoint moved (rebuild?); re-reading");
            }
            return Ok(current);
        }
        self.projector.effects(events).await?;
        let mut tx = self.conn.begin().await?;
        let current = checkpoint::lock(&mut tx, name).await?;
        if current != expected {
            tracing::info!(from = %expected, to = %current, "checkpoint moved (rebuild?); re-reading");
            tx.rollback().await?;
            return Ok(current);
        }
        use_schema(&mut tx, "public").await?;
        self.projector.apply(&mut tx, events).await?;
        checkpoint::set(&mut tx, name, last).await?;
        tx.commit().await?;
        tracing::debug!(events = events.len(), position = %last, "projected a batch");
        Ok(last)
    }
}

/// Exponential pauses after failures: 100 ms doubling up to a cap, reset by success.
struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);

    fn new(max: Duration) -> Self {
        Self { next: Self::FIRST, max }
    }

    fn next(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(self.max);
        pause
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}
