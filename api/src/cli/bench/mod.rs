//! `ctxi bench`: figures for the event store and projections on this machine. Each run creates
//! a throwaway database on the configured server and drops it afterwards.

mod appends;
pub(crate) mod corpus;
mod cpu;
mod ingest;
mod load;
mod populate;
mod ranking;
mod rebuild;
mod retrieve;
mod server;
mod stats;
mod sweep;
mod target;
mod vectors;
pub(crate) mod words;
mod workload;
mod writes;

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
    /// Ingestion throughput through `ctxi serve`: ~5 KB Markdown documents with some PII,
    /// from the first upload until the last one is searchable.
    Ingest {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Documents to upload.
        #[arg(long, default_value_t = 2_000)]
        documents: usize,
        /// Concurrent uploading clients.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Retrieval latency through `ctxi serve` from an open-loop load generator, beside the
    /// same queries as direct SQL, and the highest rate sustained.
    Retrieve {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Chunks in the project searched (at least this many).
        #[arg(long, default_value_t = 100_000)]
        chunks: usize,
        #[command(flatten)]
        load: load::LoadArgs,
        /// Queries never use this many of the most frequent words: higher makes queries more
        /// selective (fewer chunks to rank).
        #[arg(long, default_value_t = 10)]
        skip_common: usize,
    },
    /// Vector search over 100k+ chunks: index build, in-process latency and recall, and
    /// retrieval with a query embedding through `ctxi serve`.
    Vectors(vectors::Args),
    /// Latency of writes (projects, uploads), which answer once the read models include them,
    /// and write-then-read sequences per second, with the reads that missed their write.
    Writes(writes::Args),
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
        BenchCommand::Ingest { db, documents, concurrency } => {
            let scratch = scratch_database(&db, "bench_ingest").await?;
            ingest::run(&scratch, documents, concurrency.max(1)).await?;
        }
        BenchCommand::Retrieve { db, chunks, load, skip_common } => {
            let scratch = scratch_database(&db, "bench_retrieve").await?;
            let options = retrieve::Options { chunks, load, skip_common };
            retrieve::run(&scratch, options).await?;
        }
        BenchCommand::Vectors(args) => vectors::run(args).await?,
        BenchCommand::Writes(args) => {
            // Not migrated here: the server, perhaps another build, applies its own migrations.
            let url = args.db.database_url.clone().unwrap_or_else(eventstore::testing::server_url);
            let scratch = TestDatabase::try_create_empty_on(&url, "bench_writes")
                .await
                .context("creating a throwaway database (the user in DATABASE_URL must be allowed to)")?;
            writes::run(&scratch, &args).await?;
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
