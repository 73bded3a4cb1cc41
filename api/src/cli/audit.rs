use std::process::ExitCode;

use clap::Subcommand;
use eventstore::postgres::verify::verify_chain;
use eventstore::Position;
use indicatif::{ProgressBar, ProgressStyle};

use super::EXIT_CHAIN_BROKEN;
use crate::config::{Database, DatabaseArgs};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first broken position (exit code 3 if any).
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
        /// First position to check (inclusive); earlier events anchor the chain.
        #[arg(long)]
        from: Option<Position>,
        /// Last position to check (inclusive).
        #[arg(long)]
        to: Option<Position>,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { db, from, to } = command;
    let db = db.open().await?;
    let outcome = verify(&db, from, to).await;
    db.close().await?;
    outcome
}

async fn verify(db: &Database, from: Option<Position>, to: Option<Position>) -> anyhow::Result<ExitCode> {
    let pool = db.app_pool(2).await?;
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let started = std::time::Instant::now();
    let report = verify_chain(&pool, from, to, |n| spinner.set_message(format!("{n} events verified"))).await?;
    spinner.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    match report.first_break {
        None => {
            println!(
                "verified {} events in {secs:.2}s ({:.0} events/s): the hash chain is intact",
                report.checked,
                report.checked as f64 / secs.max(1e-9)
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            println!(
                "hash chain broken at position {} ({}): {}\n{} events before it verified",
                broken.position, broken.stream, broken.reason, report.checked
            );
            Ok(ExitCode::from(EXIT_CHAIN_BROKEN))
        }
    }
}
