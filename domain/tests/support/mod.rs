//! Runs a pure [`Decide`] aggregate under cqrs-es's own given/when/then test framework.

use cqrs_es::event_sink::EventSink;
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use domain::Decide;
use serde::{Deserialize, Serialize};

/// The one adapter from the synchronous domain to cqrs-es's async `Aggregate`.
#[derive(Default, Serialize, Deserialize)]
pub struct Decided<A>(A);

impl<A> Aggregate for Decided<A>
where
    A: Decide,
    A::Command: Send,
{
    const TYPE: &'static str = A::TYPE;
    type Command = A::Command;
    type Event = A::Event;
    type Error = A::Error;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.0.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.0.apply(event);
    }
}

/// A fresh given/when/then run for aggregate `A`.
pub fn scenario<A>() -> TestFramework<Decided<A>>
where
    A: Decide,
    A::Command: Send,
{
    TestFramework::with(())
}
