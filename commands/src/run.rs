//! The life of every command: answer a completed one from its stored outcome; otherwise
//! decide and append, and decide again on fresh state when a concurrent command won the race.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use eventstore::{AppendError, AppendRequest, Committed, EventStore, Position, StreamAppend};
use rand::Rng;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::context::Prepared;
use crate::{CommandError, Commands};

/// How often a command is decided before giving up on a contended stream. Each conflict means
/// another command wrote one of its streams, so a plan limit of n is settled well within this.
const ATTEMPTS: u32 = 5;

/// What a command decided: the appends (all or nothing) and its answer to the caller.
pub(crate) struct Decision<R> {
    pub streams: Vec<StreamAppend>,
    pub answer: R,
}

/// One decision attempt, reading the current state afresh.
pub(crate) type Deciding<'a, R> = Pin<Box<dyn Future<Output = Result<Decision<R>, CommandError>> + Send + 'a>>;

/// A command's answer and where it left the global order.
pub(crate) struct Done<R> {
    pub answer: R,
    /// The last position written, or [`Position::START`] when the decision changed nothing.
    pub position: Position,
    /// The answer is the stored outcome of an earlier run with the same idempotency key.
    pub replayed: bool,
}

impl<S: EventStore> Commands<S> {
    /// Replays a completed command, or decides and appends it (see [`Commands::attempt`]).
    pub(crate) async fn run<'a, R>(
        &'a self,
        command: &Prepared,
        decide: impl FnMut() -> Deciding<'a, R> + Send,
    ) -> Result<Done<R>, CommandError>
    where
        R: Serialize + DeserializeOwned + Send,
    {
        if let Some(done) = self.replayed(command).await? {
            return Ok(done);
        }
        self.attempt(command, decide).await
    }

    /// The stored outcome of this command, if it carries an idempotency key and completed.
    pub(crate) async fn replayed<R: DeserializeOwned>(
        &self,
        command: &Prepared,
    ) -> Result<Option<Done<R>>, CommandError> {
        let Some(idempotency) = &command.idempotency else {
            return Ok(None);
        };
        match self.store.replay(idempotency).await? {
            Some(committed) => Ok(Some(read_outcome(committed)?)),
            None => Ok(None),
        }
    }

    /// Decides and appends, up to [`ATTEMPTS`] times while the append conflicts. A refusal is
    /// final, unless the same command completed concurrently: then its outcome is the answer.
    pub(crate) async fn attempt<'a, R>(
        &'a self,
        command: &Prepared,
        mut decide: impl FnMut() -> Deciding<'a, R> + Send,
    ) -> Result<Done<R>, CommandError>
    where
        R: Serialize + DeserializeOwned + Send,
    {
        for attempt in 1..=ATTEMPTS {
            let decision = match decide().await {
                Ok(decision) => decision,
                Err(refused) => return self.replayed(command).await?.ok_or(refused),
            };
            if decision.streams.iter().all(|s| s.events.is_empty()) {
                return Ok(Done { answer: decision.answer, position: Position::START, replayed: false });
            }
            let request = AppendRequest {
                streams: decision.streams,
                metadata: command.metadata.clone(),
                idempotency: command.idempotency.clone(),
                result: serde_json::to_value(&decision.answer)?,
            };
            match self.store.append(request).await {
                Ok(committed) => return read_outcome(committed),
                Err(AppendError::Conflict { stream, .. }) => {
                    tracing::debug!(%stream, attempt, "conflict; deciding again");
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(jitter(attempt)).await;
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        tracing::warn!(attempts = ATTEMPTS, "command kept conflicting");
        Err(CommandError::Conflict)
    }
}

/// A committed (or replayed) command's answer.
fn read_outcome<R: DeserializeOwned>(committed: Committed) -> Result<Done<R>, CommandError> {
    let answer = serde_json::from_value(committed.result)?;
    Ok(Done { answer, position: committed.position, replayed: committed.replayed })
}

/// A short random pause, growing with the attempt, so that racing commands stop colliding.
fn jitter(attempt: u32) -> Duration {
    let ceiling_ms = 2u64 << attempt.min(8);
    Duration::from_millis(rand::thread_rng().gen_range(1..=ceiling_ms))
}
