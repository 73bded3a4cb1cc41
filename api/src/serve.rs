//! `ctxi serve`: the platform's server. It applies migrations, runs the projectors
//! in-process, and serves the API, the dashboard, health checks and metrics until Ctrl-C or
//! SIGTERM, then stops the embedded PostgreSQL if it started one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use commands::{Commands, Secrets};
use eventstore::PostgresStore;
use projections::Projections;
use tokio::sync::watch;

use crate::config::{derive_key, Database, DatabaseArgs, KekArgs};
use crate::http::{AppState, Csrf};
use crate::metrics::{MeteredStore, Metrics};
use crate::settings::{self, LogFormat, Overrides, Secret, ServeSettings};

/// Every setting can also come from the file named by `--config`/`CTXI_CONFIG` or from a
/// `CTXI_*` environment variable (`DATABASE_URL` for the database); flags win.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A TOML settings file (keys as the long flags, with underscores).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port). Env CTXI_LISTEN.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// PostgreSQL URL. Without it, a private cluster in the data folder is used. Env DATABASE_URL.
    #[arg(long = "database-url")]
    database_url: Option<String>,
    /// Where the embedded PostgreSQL keeps its cluster (default `data`). Env CTXI_DATA_DIR.
    #[arg(long = "data-dir")]
    data_dir: Option<PathBuf>,
    /// Key-encryption key, 32 random bytes in base64. Env CTXI_KEK.
    #[arg(long)]
    kek: Option<String>,
    /// The built dashboard (default `web-yew/dist`). Env CTXI_WEB_DIR.
    #[arg(long = "web-dir")]
    web_dir: Option<PathBuf>,
    /// The URL users reach the server at; https makes cookies Secure. Env CTXI_PUBLIC_URL.
    #[arg(long = "public-url")]
    public_url: Option<String>,
    /// `json` (default) or `text`. Env CTXI_LOG_FORMAT.
    #[arg(long = "log-format", value_parser = parse_log_format)]
    log_format: Option<LogFormat>,
}

fn parse_log_format(text: &str) -> Result<LogFormat, String> {
    match text {
        "json" => Ok(LogFormat::Json),
        "text" => Ok(LogFormat::Text),
        other => Err(format!("{other:?} is not a log format: use json or text")),
    }
}

impl ServeArgs {
    fn settings(self) -> anyhow::Result<ServeSettings> {
        let overrides = Overrides {
            listen: self.listen,
            database_url: self.database_url.map(Secret::new),
            data_dir: self.data_dir,
            kek: self.kek.map(Secret::new),
            web_dir: self.web_dir,
            public_url: self.public_url,
            log_format: self.log_format,
            ..Overrides::default()
        };
        Ok(settings::load(self.config.as_deref(), &overrides)?)
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings()?;
    crate::logging::init_server(settings.log_format);
    let kek_text = settings.kek.as_ref().map(|k| k.expose().to_owned());
    let kek = KekArgs { kek: kek_text.clone() }.key()?;
    let db = DatabaseArgs {
        database_url: settings.database_url.as_ref().map(|u| u.expose().to_owned()),
        data_dir: settings.data_dir.clone(),
    }
    .open()
    .await?;
    let outcome = serve(&db, kek, kek_text.as_deref().unwrap_or_default(), &settings).await;
    db.close().await?;
    outcome
}

async fn serve(
    db: &Database,
    kek: eventstore::sealing::KeyEncryptionKey,
    kek_text: &str,
    settings: &ServeSettings,
) -> anyhow::Result<ExitCode> {
    crate::cli::migrate::apply(db).await?;
    let metrics = Metrics::new();
    let store = Arc::new(MeteredStore::new(PostgresStore::new(db.app_pool(16).await?, kek), metrics.clone()));
    let pool = store.inner().pool().clone();

    let (stop, stopped) = watch::channel(false);
    let (projecting_tx, projecting) = watch::channel(true);
    let commands = Commands::new(store, Secrets::new(derive_key(kek_text, "email-lookup")?));
    let mut followers = projections::all();
    followers.push(crate::ingestion::worker(commands.clone()));
    let frontier = projections::Frontier::new(pool.clone(), projections::read_models::NAMES);
    frontier.refresh().await.context("reading the projectors' checkpoints")?;
    let runner = Projections::new(commands.store().inner().clone(), followers).with_frontier(frontier.clone());
    let runner_task = tokio::spawn({
        let mut stopped = stopped.clone();
        async move {
            runner.run(async move { stopped.wait_for(|s| *s).await.map(|_| ()).unwrap_or(()) }).await;
            let _ = projecting_tx.send(false);
        }
    });

    let state = AppState {
        pool,
        frontier,
        consistency_wait: std::time::Duration::from_millis(settings.consistency_wait_ms),
        csrf: Csrf::new(derive_key(kek_text, "csrf")?),
        session_ttl: time::Duration::hours(i64::try_from(settings.session_ttl_hours).unwrap_or(i64::MAX / 3600)),
        secure_cookies: settings.secure_cookies(),
        projecting,
        vectors: crate::retrieval::VectorIndex::new(metrics.clone()),
        words: crate::retrieval::WordIndex::new(metrics.clone()),
        metrics,
        request_timeout: std::time::Duration::from_secs(settings.request_timeout_secs.max(1)),
        meter: crate::metering::Meter::start(commands.clone()),
        cache: crate::retrieval::ResultCache::default(),
        commands,
    };
    let idle = std::time::Duration::from_secs(settings.index_idle_minutes.max(1).saturating_mul(60));
    tokio::spawn(crate::retrieval::drop_idle_indexes(state.words.clone(), state.vectors.clone(), idle));
    let app = crate::http::app(Arc::new(state), &settings.web_dir);
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
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
