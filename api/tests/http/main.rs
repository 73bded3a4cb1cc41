//! The `/v1` API against a real `ctxi serve` over a fresh database per test.

mod consistency;
mod documents;
mod embeddings;
mod errors;
mod flow;
mod idempotency;
mod isolation;
mod metering;
mod observability;
mod support;
