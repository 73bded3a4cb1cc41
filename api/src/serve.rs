//! `ctxi serve`: the platform's server. For now it applies migrations, runs the projectors
//! in-process and answers health checks; the `/v1` API and the dashboard are next.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use eventstore::PostgresStore;
use projections::Projections;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::config::{Database, DatabaseArgs, KekArgs};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(flatten)]
    kek: KekArgs,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CTXI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

#[derive(Debug, Clone)]
struct AppState {
    pool: PgPool,
    /// Whether the projector runner is still running.
    projecting: watch::Receiver<bool>,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let kek = args.kek.key()?;
    let db = args.db.open().await?;
    let outcome = serve(&db, kek, args.listen).await;
    db.close().await?;
    outcome
}

async fn serve(
    db: &Database,
    kek: eventstore::sealing::KeyEncryptionKey,
    listen: SocketAddr,
) -> anyhow::Result<ExitCode> {
    crate::cli::migrate::apply(db).await?;
    let store = PostgresStore::new(db.app_pool(16).await?, kek);
    let pool = store.pool().clone();

    let (stop, stopped) = watch::channel(false);
    let (projecting_tx, projecting) = watch::channel(true);
    let runner = Projections::new(store, projections::all());
    let runner_task = tokio::spawn({
        let mut stopped = stopped.clone();
        async move {
            runner.run(async move { stopped.wait_for(|s| *s).await.map(|_| ()).unwrap_or(()) }).await;
            let _ = projecting_tx.send(false);
        }
    });

    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(Arc::new(AppState { pool, projecting }));
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    println!("ContextInject is listening on http://{address}");

    let mut stopped_for_http = stopped.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
            let _ = stopped_for_http.wait_for(|s| *s).await;
        })
        .await
        .context("serving HTTP")?;
    runner_task.await.context("the projector runner panicked")?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ready when the database answers and the projectors run.
async fn ready(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let database = sqlx::query("SELECT 1").execute(&state.pool).await.is_ok();
    let projectors = *state.projecting.borrow();
    let status = if database && projectors { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "database": database, "projectors": projectors })))
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
