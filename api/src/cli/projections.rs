use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use eventstore::PostgresStore;
use indicatif::{ProgressBar, ProgressStyle};

use super::StoreArgs;
use crate::config::{Database, DatabaseArgs};

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Each projector's position and how far behind the event log it is.
    Status {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Rebuild read models from the first event into fresh tables, then swap them in atomically
    /// while the live tables keep serving.
    Rebuild {
        #[command(flatten)]
        store: StoreArgs,
        /// The projector to rebuild (see `ctxi projections status` for names).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Rebuild every projector, reading the log once.
        #[arg(long)]
        all: bool,
    },
}

pub async fn run(command: ProjectionsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProjectionsCommand::Status { db } => {
            let db = db.open().await?;
            let outcome = status(&db).await;
            db.close().await?;
            outcome
        }
        ProjectionsCommand::Rebuild { store, name, all } => {
            let db = store.db.open().await?;
            let outcome = rebuild(&db, &store, name.as_deref(), all).await;
            db.close().await?;
            outcome
        }
    }
}

async fn status(db: &Database) -> anyhow::Result<ExitCode> {
    let pool = db.app_pool(2).await?;
    // Status reads no personal data: the store needs no real key-encryption key here.
    let store = PostgresStore::new(pool.clone(), eventstore::sealing::KeyEncryptionKey::generate().0);
    let rows = projections::status(&pool, &store).await.context("reading projector checkpoints")?;
    println!("{:<16} {:>20} {:>12} {:>12}", "projector", "position", "lag events", "lag seconds");
    for row in rows {
        println!("{:<16} {:>20} {:>12} {:>12.1}", row.name, row.position, row.lag_events, row.lag_seconds);
    }
    Ok(ExitCode::SUCCESS)
}

async fn rebuild(db: &Database, args: &StoreArgs, name: Option<&str>, all: bool) -> anyhow::Result<ExitCode> {
    let projectors = match (name, all) {
        (_, true) => projections::all(),
        (Some(name), false) => vec![projections::find(name)?],
        (None, false) => anyhow::bail!("name a projector or pass --all"),
    };
    // A rebuild reads and applies in parallel and swaps on its own connection.
    let store = PostgresStore::new(db.app_pool(10).await?, args.kek.key()?);
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("rebuilding {bar:40} {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = projections::rebuild_all(&store, &projectors, &mut |p| {
        bar.set_length(p.total.max(p.done));
        bar.set_position(p.done);
    })
    .await
    .context("rebuilding")?;
    bar.finish_and_clear();
    let names: Vec<&str> = projectors.iter().map(|p| p.name()).collect();
    let secs = report.elapsed.as_secs_f64();
    println!(
        "rebuilt {} from {} events in {secs:.2}s ({:.0} events/s) and swapped them in",
        names.join(", "),
        report.events,
        report.events as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
