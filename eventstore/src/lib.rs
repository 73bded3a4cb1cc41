//! ContextInject's event store.
//!
//! Every change is an immutable event in one stream, at a stream version and a global
//! [`Position`]. The store guarantees, for both backends ([`PostgresStore`], [`InMemoryStore`]):
//!
//! - a global order readers follow without ever skipping a late commit ([`position`]);
//! - optimistic concurrency per stream and idempotent commands ([`EventStore::append`]);
//! - append-only storage (a trigger and the `ctxi_app` role; see the migrations);
//! - a hash chain over a documented canonical encoding ([`hash`]), verified by
//!   [`postgres::verify::verify_chain`];
//! - sealed personal data, erasable by destroying a subject's key ([`sealing`]);
//! - metadata on every event ([`EventMetadata`]) and versioned events with upcasters ([`Upcasters`]).
//!
//! It builds on cqrs-es's event contract (`DomainEvent`: type and version) and upcasters. The
//! PostgreSQL backend does not use postgres-es's repository; `postgres/mod.rs` says why.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod event;
pub mod hash;
mod memory;
mod metadata;
pub mod position;
pub mod postgres;
mod prepare;
pub mod sealing;
mod store;
mod upcast;

pub use error::{AppendError, StoreError};
pub use event::{
    AppendRequest, Committed, ExpectedVersion, Idempotency, NewEvent, RecordedEvent, StreamAppend, StreamId,
};
pub use memory::InMemoryStore;
pub use metadata::{Actor, EventMetadata};
pub use position::Position;
pub use postgres::PostgresStore;
pub use store::EventStore;
pub use upcast::Upcasters;

#[cfg(feature = "testing")]
pub mod testing;
