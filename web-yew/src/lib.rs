//! The ContextInject dashboard: signup, login, projects with their API keys and documents, a
//! retrieval playground, and the month's usage in the header.
//!
//! A Yew single-page app, compiled to WebAssembly by `scripts/build-web.sh` and served by
//! `ctxi serve` from the same origin as the `/v1` API. It keeps the signed-in user in app state
//! ([`state`]), and reloads what a write changed once the write answers: the server answers a
//! write once its read models include it, so the reload sees it.
//!
//! The pure parts ([`cookies`], [`format`], [`highlight`], [`state`]) are unit-tested natively.

pub mod api;
pub mod app;
pub mod cookies;
pub mod format;
mod header;
pub mod highlight;
mod pages;
pub mod route;
pub mod state;
mod usage;
