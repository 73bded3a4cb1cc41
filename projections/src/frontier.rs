//! How far the read models have got, for requests that must see a write before they answer.
//!
//! [`Frontier::reach`] returns once every read model has projected a position. Projectors that
//! run in this process publish each commit here, so a request usually waits for no query at all;
//! those that another instance runs are seen by polling their checkpoints, all in one query.
//! A request that waits also hurries this process's projectors: one resting between batches
//! (they rest up to 20 ms under load, see `follow.rs`) reads again at once.

use std::sync::Arc;
use std::time::Duration;

use eventstore::Position;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::ProjectionError;

/// The first checkpoint poll after a request starts waiting; later ones back off to
/// [`POLL_MAX`]. Projectors in this process answer sooner, through their commits.
const POLL_FIRST: Duration = Duration::from_millis(5);
const POLL_MAX: Duration = Duration::from_millis(25);

/// The checkpoints of a set of read models as this process knows them, and how to wait for them.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Frontier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: PgPool,
    names: Vec<&'static str>,
    /// The newest checkpoint known of each of `names`, in that order.
    known: watch::Sender<Vec<Position>>,
    /// Bumped by every request that starts waiting; projectors resting between batches listen.
    hurry: watch::Sender<()>,
}

impl Frontier {
    /// A frontier over the read models `names` (their projectors' checkpoint names).
    pub fn new(pool: PgPool, names: &[&'static str]) -> Self {
        let (known, _) = watch::channel(vec![Position::START; names.len()]);
        let (hurry, _) = watch::channel(());
        Self { inner: Arc::new(Inner { pool, names: names.to_vec(), known, hurry }) }
    }

    /// Records that projector `name` committed up to `position` (ignored for other names).
    pub fn committed(&self, name: &str, position: Position) {
        if let Some(i) = self.inner.names.iter().position(|n| *n == name) {
            self.inner.known.send_if_modified(|known| raise(&mut known[i], position));
        }
    }

    /// What projectors resting between batches listen to, to read again at once.
    pub(crate) fn hurried(&self) -> watch::Receiver<()> {
        self.inner.hurry.subscribe()
    }

    /// Returns once every read model has projected `position`, or fails with
    /// [`ProjectionError::Timeout`] (naming the first one still behind) after `timeout`.
    #[tracing::instrument(skip(self), fields(%position))]
    pub async fn reach(&self, position: Position, timeout: Duration) -> Result<(), ProjectionError> {
        let mut known = self.inner.known.subscribe();
        if lowest(&known.borrow_and_update()) >= position {
            return Ok(());
        }
        self.inner.hurry.send_replace(());
        let started = Instant::now();
        let deadline = started + timeout;
        let mut poll = POLL_FIRST;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(self.timeout(position));
            }
            let last = self.behind(position);
            tokio::select! {
                changed = known.changed() => {
                    // The sender lives as long as `self`: a closed channel cannot happen here.
                    if changed.is_err() {
                        return Err(self.timeout(position));
                    }
                }
                _ = tokio::time::sleep(poll.min(deadline - now)) => {
                    self.refresh().await?;
                    poll = (poll * 2).min(POLL_MAX);
                }
            }
            if lowest(&known.borrow_and_update()) >= position {
                tracing::debug!(
                    waited_us = started.elapsed().as_micros(),
                    last,
                    "the read models reached the position"
                );
                return Ok(());
            }
        }
    }

    /// The first read model known to be behind `position`.
    fn behind(&self, position: Position) -> &'static str {
        let known = self.inner.known.borrow();
        let behind = self.inner.names.iter().zip(known.iter()).find(|(_, p)| **p < position);
        behind.map_or("read models", |(name, _)| name)
    }

    /// Reads every checkpoint from the database, in one query.
    pub async fn refresh(&self) -> Result<(), ProjectionError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT projector, position FROM public.projector_checkpoints WHERE projector = ANY($1)")
                .bind(&self.inner.names)
                .fetch_all(&self.inner.pool)
                .await?;
        for (name, raw) in rows {
            self.committed(&name, Position::from_raw(raw));
        }
        Ok(())
    }

    fn timeout(&self, position: Position) -> ProjectionError {
        ProjectionError::Timeout { projector: self.behind(position).to_owned(), position }
    }
}

fn lowest(known: &[Position]) -> Position {
    known.iter().copied().min().unwrap_or(Position::START)
}

/// Moves `slot` up to `position`; true if it moved. Never down: no checkpoint moves back (a
/// rebuild's swap moves it to the head of the log as read under the checkpoint's lock, which
/// the live projector had not passed).
fn raise(slot: &mut Position, position: Position) -> bool {
    if position > *slot {
        *slot = position;
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use eventstore::testing::TestDatabase;
    use eventstore::Position;

    use super::Frontier;
    use crate::{checkpoint, ProjectionError};

    #[tokio::test]
    async fn commits_published_here_answer_without_a_query_and_others_are_polled() {
        let db = TestDatabase::create("frontier_reach").await;
        let pool = db.app_pool(4).await;
        let mut conn = pool.acquire().await.unwrap();
        for name in ["a", "b"] {
            checkpoint::ensure(&mut conn, name).await.unwrap();
        }
        let frontier = Frontier::new(pool.clone(), &["a", "b"]);
        let target = Position::from_raw(10);

        // Published by the projectors of this process: no database involved.
        let waiting = tokio::spawn({
            let frontier = frontier.clone();
            async move { frontier.reach(target, Duration::from_secs(10)).await }
        });
        frontier.committed("a", target);
        frontier.committed("unrelated", Position::from_raw(1));
        assert!(!waiting.is_finished(), "b is still behind");
        frontier.committed("b", Position::from_raw(11));
        waiting.await.unwrap().unwrap();
        frontier.reach(target, Duration::ZERO).await.expect("known at once, without waiting");

        // Moved by another instance: only the database knows.
        let later = Position::from_raw(20);
        sqlx::query("UPDATE projector_checkpoints SET position = 20").execute(&mut *conn).await.unwrap();
        frontier.reach(later, Duration::from_secs(10)).await.unwrap();

        // Still behind when the time is up: the answer names a read model that is behind.
        match frontier.reach(Position::from_raw(30), Duration::from_millis(60)).await {
            Err(ProjectionError::Timeout { projector, position }) => {
                assert_eq!((projector.as_str(), position), ("a", Position::from_raw(30)));
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }
}
