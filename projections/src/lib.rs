//! ContextInject's read models: projectors that follow the global order of events into
//! PostgreSQL tables for the API to query.
//!
//! - A [`Projector`] folds batches of events into its tables with a few multi-row statements.
//! - [`Projections::run`] runs each projector as a task, in exactly one instance at a time
//!   (advisory lock), committing each batch's rows and checkpoint in one transaction: a crash
//!   repeats nothing and loses nothing. It wakes on appends by this process, on NOTIFY from
//!   others, and polls.
//! - [`Frontier`] gives read-your-writes: wait until every read model reaches the position a
//!   command answered with, told by this process's projectors or their checkpoints.
//! - [`wait_for`] waits for one projector, polling its checkpoint (tests and benches).
//! - [`rebuild`] builds fresh tables beside the live ones and swaps them in atomically.
//! - [`status`] tells how far behind each projector is.
//!
//! Everything runs as the application role (`ctxi_app`), which owns the read-model tables.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod advances;
mod checkpoint;
mod error;
mod follow;
mod frontier;
mod lock;
mod projector;
pub mod read_models;
mod rebuild;
mod runner;
mod setup;
mod signals;
mod status;
mod tail;

pub use checkpoint::wait_for;
pub use error::ProjectionError;
pub use frontier::Frontier;
pub use projector::Projector;
pub use read_models::{all, find};
pub use rebuild::{rebuild, rebuild_all, RebuildProgress, RebuildReport};
pub use runner::{Projections, RunnerConfig};
pub use setup::setup;
pub use status::{status, ProjectorStatus};

#[cfg(feature = "testing")]
pub mod testing;
