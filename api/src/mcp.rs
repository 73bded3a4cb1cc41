//! `ctxi mcp`: a Model Context Protocol server over stdio, for agents (Claude Desktop, IDEs)
//! to retrieve from one project.
//!
//! It is a thin client of the REST API, holding the project's API key, so authentication,
//! quotas and metering are those of every other client and the server needs no database.
//! Between the API and the agent sits the prompt-injection guard (`guard`): attack-looking tool
//! arguments are refused, attack-looking chunks are marked or withheld per the project's policy.
//! Each tool has its own rate limit, so a looping agent stops here before it spends the quota.
//!
//! stdout carries the protocol and nothing else; logs go to stderr.

mod client;
mod config;
mod guard;
mod rate;
mod server;
mod tools;

use std::process::ExitCode;

use anyhow::Context;
use rmcp::ServiceExt;
use tracing_subscriber::EnvFilter;

pub use config::McpArgs;

/// Serves MCP on stdin/stdout until the client closes the connection.
pub async fn run(args: McpArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let config = args.into_config()?;
    tracing::info!(api = %config.api_url, project = %config.project_id, "ctxi mcp starting");
    let server = server::ContextServer::new(&config)?;
    let running = server.serve(rmcp::transport::stdio()).await.context("starting the MCP session on stdio")?;
    let reason = running.waiting().await.context("serving MCP")?;
    tracing::info!(?reason, "ctxi mcp stopped");
    Ok(ExitCode::SUCCESS)
}

/// Plain text on stderr, `warn` and up unless `RUST_LOG` says otherwise: MCP clients show a
/// server's stderr to the user, who wants problems there, not a line per call.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    // A second initialisation (none happens in the binary) is harmless, so its error is ignored.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}
