//! The `ctxi` binary's library: the operator CLI, and later the HTTP API it serves.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod embedded;
pub mod http;
pub mod ingestion;
pub mod logging;
pub mod mcp;
pub mod metering;
pub mod metrics;
pub mod retrieval;
pub mod serve;
pub mod settings;
