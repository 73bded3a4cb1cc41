//! `ctxi`: the operator CLI.
//!
//! Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage, 3 `audit verify` found the
//! hash chain broken.

mod audit;
pub(crate) mod bench;
pub(crate) mod migrate;
mod projections;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{DatabaseArgs, KekArgs};

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_CHAIN_BROKEN: u8 = 3;

#[derive(Debug, Parser)]
#[command(name = "ctxi", version, about = "ContextInject: context retrieval for LLM applications")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the platform: migrations, projectors and the HTTP server.
    Serve(crate::serve::ServeArgs),
    /// Create or upgrade the event store's tables and the read models.
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Inspect and rebuild the read models.
    Projections {
        #[command(subcommand)]
        command: projections::ProjectionsCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Serve the Model Context Protocol over stdio, as a client of the REST API.
    Mcp(crate::mcp::McpArgs),
    /// Measure the event store and projections on this machine (figures, not tests).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

/// Runs a parsed command line and returns the process exit code.
/// `serve` sets up its own logging from its settings; the other commands log warnings as text.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if !matches!(cli.command, Command::Serve(_) | Command::Mcp(_)) {
        crate::logging::init_cli();
    }
    match cli.command {
        Command::Serve(args) => crate::serve::run(args).await,
        Command::Migrate { db } => migrate::run(&db).await,
        Command::Projections { command } => projections::run(command).await,
        Command::Audit { command } => audit::run(command).await,
        Command::Mcp(args) => crate::mcp::run(args).await,
        Command::Bench { command } => bench::run(command).await,
    }
}

/// Database and key arguments shared by commands that read events.
#[derive(Debug, clap::Args)]
struct StoreArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(flatten)]
    kek: KekArgs,
}
