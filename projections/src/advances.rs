//! Checkpoint moves of idle followers, gathered into one statement.
//!
//! An append that a projector has nothing to do with (a metered retrieval, for all but one of
//! them) still moves its checkpoint, so that read-your-writes sees it caught up. The followers
//! of a process read each append together (see [`crate::tail`]) and so move their checkpoints
//! together: one `UPDATE` per follower and append cost more than the retrieval that appended.
//! Here a move waits while one is in flight, and the next statement takes every move queued.

use eventstore::Position;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};
use tokio::sync::{mpsc, oneshot};

use crate::{checkpoint, ProjectionError};

struct Move {
    projector: &'static str,
    expected: Position,
    next: Position,
    done: oneshot::Sender<Result<Position, String>>,
}

/// The handle followers move their checkpoints with; the task ends when every handle is gone.
#[derive(Debug, Clone)]
pub(crate) struct Advances {
    queue: mpsc::UnboundedSender<Move>,
}

impl Advances {
    pub(crate) fn start(pool: PgPool) -> Self {
        let (queue, moves) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, moves));
        Self { queue }
    }

    /// Moves `projector`'s checkpoint from `expected` to `next` if it is still at `expected` (a
    /// compare-and-set): returns the checkpoint in force, `next` or the one a rebuild's swap
    /// moved it to (the update waits for the swap's row lock, then finds the position changed).
    pub(crate) async fn advance(
        &self,
        projector: &'static str,
        expected: Position,
        next: Position,
    ) -> Result<Position, ProjectionError> {
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Move { projector, expected, next, done })
            .map_err(|_| ProjectionError::Worker("the checkpoint batcher has stopped".into()))?;
        match answer.await {
            Ok(Ok(position)) => Ok(position),
            Ok(Err(reason)) => Err(ProjectionError::Worker(format!("moving the checkpoint failed: {reason}"))),
            Err(_) => Err(ProjectionError::Worker("the checkpoint batcher has stopped".into())),
        }
    }
}

async fn run(pool: PgPool, mut moves: mpsc::UnboundedReceiver<Move>) {
    let mut conn: Option<PgConnection> = None;
    while let Some(first) = moves.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = moves.try_recv() {
            batch.push(more);
        }
        let outcome = match &mut conn {
            Some(conn) => apply(conn, &batch).await,
            None => match connect(&pool).await {
                Ok(fresh) => apply(conn.insert(fresh), &batch).await,
                Err(e) => Err(e),
            },
        };
        match outcome {
            Ok(positions) => {
                for (m, position) in batch.into_iter().zip(positions) {
                    let _ = m.done.send(position.map_err(|e| e.to_string()));
                }
            }
            Err(e) => {
                // The followers log it and start over; the next batch gets a new connection.
                conn = None;
                for m in batch {
                    let _ = m.done.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// A connection of its own: a read model's checkpoint may be lost in a crash (the batch is
/// projected again), so its commits need not wait for the disk, as the followers' do not.
async fn connect(pool: &PgPool) -> Result<PgConnection, ProjectionError> {
    let mut conn = PoolConnection::<Postgres>::detach(pool.acquire().await?);
    sqlx::query("SET synchronous_commit = off").execute(&mut conn).await?;
    Ok(conn)
}

/// Applies the moves in one statement; a checkpoint that was not where its move expected it
/// (a rebuild swapped it meanwhile, which is rare) is read back, for that move alone.
async fn apply(
    conn: &mut PgConnection,
    batch: &[Move],
) -> Result<Vec<Result<Position, ProjectionError>>, ProjectionError> {
    let names: Vec<&str> = batch.iter().map(|m| m.projector).collect();
    let expected: Vec<i64> = batch.iter().map(|m| m.expected.raw()).collect();
    let next: Vec<i64> = batch.iter().map(|m| m.next.raw()).collect();
    let moved: Vec<String> = sqlx::query_scalar(
        "UPDATE public.projector_checkpoints c SET position = m.next, updated_at = now()
           FROM unnest($1::text[], $2::int8[], $3::int8[]) AS m(projector, expected, next)
          WHERE c.projector = m.projector AND c.position = m.expected
        RETURNING c.projector",
    )
    .bind(&names)
    .bind(&expected)
    .bind(&next)
    .fetch_all(&mut *conn)
    .await?;
    let mut positions = Vec::with_capacity(batch.len());
    for m in batch {
        if moved.iter().any(|name| name == m.projector) {
            positions.push(Ok(m.next));
        } else {
            positions.push(checkpoint::read(&mut *conn, m.projector).await);
        }
    }
    Ok(positions)
}

#[cfg(test)]
mod tests {
    use eventstore::testing::TestDatabase;
    use eventstore::Position;

    use super::Advances;
    use crate::checkpoint;

    #[tokio::test]
    async fn moves_queued_together_land_and_one_whose_checkpoint_moved_meanwhile_reads_it_back() {
        let db = TestDatabase::create("advances_batch").await;
        let pool = db.app_pool(4).await;
        let mut conn = pool.acquire().await.unwrap();
        for name in ["a", "b", "c"] {
            checkpoint::ensure(&mut conn, name).await.unwrap();
        }
        // As a rebuild's swap would: "c" is no longer where its follower believes.
        sqlx::query("UPDATE projector_checkpoints SET position = 50 WHERE projector = 'c'")
            .execute(&mut *conn)
            .await
            .unwrap();

        let advances = Advances::start(pool.clone());
        let (start, next) = (Position::START, Position::from_raw(10));
        let (a, b, c) = tokio::join!(
            advances.advance("a", start, next),
            advances.advance("b", start, next),
            advances.advance("c", start, next),
        );
        assert_eq!((a.unwrap(), b.unwrap(), c.unwrap()), (next, next, Position::from_raw(50)));
        for (name, expected) in [("a", 10), ("b", 10), ("c", 50)] {
            assert_eq!(checkpoint::read(&pool, name).await.unwrap(), Position::from_raw(expected), "{name}");
        }

        let (unknown, known) =
            tokio::join!(advances.advance("missing", start, next), advances.advance("a", next, start));
        assert!(unknown.is_err(), "a projector without a checkpoint row is an error, not a silent no-op");
        assert_eq!(known.unwrap(), start, "and it fails alone");
    }
}
