//! `ctxi bench`: figures for the event store and projections on this machine. Each run creates
//! a throwaway database on the configured server and drops it afterwards.

mod appends;
mod rebuild;
mod stats;
mod workload;

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use eventstore::testing::TestDatabase;

use crate::config::DatabaseArgs;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Appends per second and latency at several concurrencies, beside raw SQL inserts.
    Appends {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Seconds to run each measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Concurrent writers for single-event appends.
        #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
        writers: Vec<usize>,
        /// Concurrent writers for 100-event batches.
        #[arg(long, value_delimiter = ',', default_value = "1,8")]
        batch_writers: Vec<usize>,
    },
    /// Rebuild all projections and verify the chain over a large log.
    Rebuild {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Events to generate before measuring.
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Appends { db, seconds, writers, batch_writers } => {
            let scratch = scratch_database(&db, "bench_appends").await?;
            appends::run(&scratch, std::time::Duration::from_secs(seconds), &writers, &batch_writers).await?;
        }
        BenchCommand::Rebuild { db, events } => {
            let scratch = scratch_database(&db, "bench_rebuild").await?;
            rebuild::run(&scratch, events).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn scratch_database(db: &DatabaseArgs, label: &str) -> anyhow::Result<TestDatabase> {
    let url = db.database_url.clone().unwrap_or_else(eventstore::testing::server_url);
    let scratch = TestDatabase::try_create_on(&url, label)
        .await
        .context("creating a throwaway database (the user in DATABASE_URL must be allowed to)")?;
    eprintln!("benchmarking in throwaway database {}", scratch.name);
    Ok(scratch)
}
