use std::process::ExitCode;

use anyhow::Context;

use crate::config::{Database, DatabaseArgs};

/// Applies the event store's migrations (as the connecting user, who must own the schema), then
/// creates the read models as the application role, which owns them so rebuilds can swap them.
pub async fn run(args: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let db = args.open().await?;
    let outcome = apply(&db).await;
    db.close().await?;
    outcome?;
    println!("migrations applied; read models ready");
    Ok(ExitCode::SUCCESS)
}

/// Migrations, then the read models; `ctxi serve` runs this at start too.
pub async fn apply(db: &Database) -> anyhow::Result<()> {
    let admin = db.admin_pool().await?;
    eventstore::postgres::MIGRATOR.run(&admin).await.context("applying the event store migrations")?;
    let app = db.app_pool(2).await?;
    projections::setup(&app, &projections::all()).await.context("creating the read models")?;
    Ok(())
}
