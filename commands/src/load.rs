//! An aggregate's current state, folded from its stream, and the version it was read at.

use std::fmt;

use domain::Decide;
use eventstore::{EventStore, ExpectedVersion, NewEvent, StoreError, StreamAppend, StreamId};

use crate::CommandError;

/// An aggregate as of `version`, the sequence of the last event folded into it (0: no events).
/// Appending what it decides expects exactly that version, so a concurrent change conflicts.
#[derive(Debug, Clone)]
pub struct Loaded<A> {
    pub stream: StreamId,
    pub state: A,
    pub version: u64,
}

impl<A: Decide> Loaded<A> {
    /// A stream that cannot exist yet, because its id was generated for this command: nothing
    /// to read.
    pub fn fresh(id: impl fmt::Display) -> Self {
        Self { stream: StreamId::new(A::TYPE, id), state: A::default(), version: 0 }
    }

    /// The version an append of this aggregate's new events must find.
    pub fn expected(&self) -> ExpectedVersion {
        match self.version {
            0 => ExpectedVersion::NoStream,
            v => ExpectedVersion::Exactly(v),
        }
    }

    pub fn into_parts(self) -> (A, u64) {
        (self.state, self.version)
    }

    /// Lets the aggregate decide, and wraps its events as an append at this version.
    pub(crate) fn decide(&self, command: A::Command) -> Result<StreamAppend, CommandError>
    where
        CommandError: From<A::Error>,
    {
        self.decide_or(command, CommandError::from)
    }

    /// Like [`decide`](Self::decide), with the refusal explained by `refused`, for errors that
    /// need more context than the aggregate has (the plan a quota belongs to, say).
    pub(crate) fn decide_or(
        &self,
        command: A::Command,
        refused: impl FnOnce(A::Error) -> CommandError,
    ) -> Result<StreamAppend, CommandError> {
        let decided = self.state.decide(command).map_err(refused)?;
        self.append_of(&decided)
    }

    /// Like [`decide_or`](Self::decide_or), with the aggregate as it will be once the append
    /// commits, for a caller that keeps it for its next command instead of reading it again.
    pub(crate) fn decide_ahead(
        &self,
        command: A::Command,
        refused: impl FnOnce(A::Error) -> CommandError,
    ) -> Result<(StreamAppend, Self), CommandError> {
        let decided = self.state.decide(command).map_err(refused)?;
        let append = self.append_of(&decided)?;
        let mut after = self.clone();
        for event in decided {
            after.state.apply(event);
            after.version += 1;
        }
        Ok((append, after))
    }

    /// `events` as an append at this version.
    fn append_of(&self, events: &[A::Event]) -> Result<StreamAppend, CommandError> {
        let events = events.iter().map(NewEvent::from_domain).collect::<Result<Vec<_>, _>>()?;
        Ok(StreamAppend { stream: self.stream.clone(), expected: self.expected(), events })
    }

    /// An append of nothing that holds only while this aggregate is still at its version: for
    /// a decision that depends on the aggregate without changing it.
    pub(crate) fn unchanged(&self) -> StreamAppend {
        StreamAppend { stream: self.stream.clone(), expected: self.expected(), events: Vec::new() }
    }
}

/// Reads the aggregate `A` with `id` and folds its events with [`Decide::apply`].
pub async fn load<A: Decide, S: EventStore + ?Sized>(
    store: &S,
    id: impl fmt::Display,
) -> Result<Loaded<A>, CommandError> {
    let mut loaded = Loaded::<A>::fresh(id);
    for recorded in store.read_stream(&loaded.stream).await? {
        let event = recorded
            .decode::<A::Event>()
            .map_err(|e| StoreError::Corrupt { position: recorded.position.raw(), reason: e.to_string() })?;
        loaded.state.apply(event);
        loaded.version = recorded.sequence;
    }
    Ok(loaded)
}

/// Loads an aggregate whose every event carries its whole state (such as
/// [`domain::DocumentQuota`]) from its stream's last event alone, however long the stream.
pub async fn load_last<A: Decide, S: EventStore + ?Sized>(
    store: &S,
    id: impl fmt::Display,
) -> Result<Loaded<A>, CommandError> {
    let mut loaded = Loaded::<A>::fresh(id);
    if let Some(recorded) = store.read_last(&loaded.stream).await? {
        let event = recorded
            .decode::<A::Event>()
            .map_err(|e| StoreError::Corrupt { position: recorded.position.raw(), reason: e.to_string() })?;
        loaded.state.apply(event);
        loaded.version = recorded.sequence;
    }
    Ok(loaded)
}
