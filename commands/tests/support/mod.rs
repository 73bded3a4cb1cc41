//! Shared setup: a command service over a store, contexts for each kind of actor, signups.

#![allow(dead_code)]

use std::sync::Arc;

use commands::{CommandContext, Commands, Secrets, Signup, SignupInput};
use domain::{TenantId, UserId};
use eventstore::{Actor, EventStore, InMemoryStore, Position, RecordedEvent};
use time::macros::datetime;
use time::OffsetDateTime;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn secrets() -> Secrets {
    Secrets::new([42; 32])
}

pub fn in_memory() -> Commands<InMemoryStore> {
    Commands::new(Arc::new(InMemoryStore::new()), secrets())
}

pub fn at() -> OffsetDateTime {
    datetime!(2025-03-01 12:00 UTC)
}

/// The context the signup route uses: nobody is signed in yet.
pub fn anonymous() -> CommandContext {
    CommandContext::new(Actor::System("signup".into()), at())
}

pub fn as_user(user_id: UserId) -> CommandContext {
    CommandContext::new(Actor::User(user_id.as_uuid()), at())
}

/// The billing webhook or the operator CLI.
pub fn platform() -> CommandContext {
    CommandContext::new(Actor::System("billing".into()), at())
}

pub fn form(email: &str, plan: &str) -> SignupInput {
    SignupInput {
        tenant: "Analytical Engines".to_owned(),
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        plan: plan.to_owned(),
        name: Some("Ada Lovelace".to_owned()),
    }
}

pub async fn sign_up<S: EventStore>(commands: &Commands<S>, email: &str, plan: &str) -> Signup {
    commands.signup(&anonymous(), form(email, plan)).await.expect("sign up")
}

/// A tenant on `plan` and the context of its owner.
pub async fn tenant_with_owner<S: EventStore>(
    commands: &Commands<S>,
    email: &str,
    plan: &str,
) -> (TenantId, CommandContext) {
    let signup = sign_up(commands, email, plan).await;
    (signup.tenant_id, as_user(signup.user_id))
}

pub async fn all_events<S: EventStore>(commands: &Commands<S>) -> Vec<RecordedEvent> {
    commands.store().read_all(Position::START, 10_000).await.expect("read all events")
}

/// The global order once `count` events are readable: with PostgreSQL, readers wait for every
/// transaction open on the server (other tests' too) before they see a commit.
pub async fn all_events_settled<S: EventStore>(commands: &Commands<S>, count: usize) -> Vec<RecordedEvent> {
    for _ in 0..500 {
        let events = all_events(commands).await;
        if events.len() >= count {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("fewer than {count} events became readable");
}

pub async fn event_types<S: EventStore>(commands: &Commands<S>) -> Vec<String> {
    all_events(commands).await.into_iter().map(|e| e.event_type).collect()
}
