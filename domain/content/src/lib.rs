//! What ContextInject does to document text, as pure functions: no IO, no async, no clock.
//!
//! - [`extract`]: bytes of a [`domain::DocumentFormat`] to plain text with its page count;
//! - [`pii`]: finds personal data and applies a project's [`domain::PiiPolicy`];
//! - [`chunk`]: cuts text into overlapping, heading-aware pieces for the index;
//! - [`injection`]: screens text for prompt-injection attacks before an agent sees it;
//! - [`embedding`]: screens client-supplied vectors (non-finite, wrong size, anomalous norm),
//!   re-exported from the domain, whose project embeddings aggregate decides with it;
//! - [`ingest`]: the whole ingestion of one document.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod chunk;
pub mod extract;
pub mod injection;
pub mod pii;
pub mod pipeline;

pub use pipeline::{ingest, Ingested};

/// Embedding screening is part of the domain (the project aggregate decides with it); it is
/// re-exported here beside the other screens.
pub use domain::embedding;
