//! Runs the projectors of one `ctxi serve` instance.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use eventstore::{Position, PostgresStore};
use tokio::sync::watch;

use crate::advances::Advances;
use crate::follow::{follow, Shared};
use crate::frontier::Frontier;
use crate::signals::{listen, Stop, Wake};
use crate::tail::Tail;
use crate::{ProjectionError, Projector};

/// How the runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Most events read and applied in one transaction.
    pub batch_size: usize,
    /// How often a caught-up projector looks for events when nothing woke it.
    pub poll_interval: Duration,
    /// How often a standby instance tries to take over a projector.
    pub lock_retry: Duration,
    /// The longest pause after repeated failures.
    pub max_backoff: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            batch_size: 2_000,
            poll_interval: Duration::from_millis(500),
            lock_retry: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// The projectors of this instance, over one store.
///
/// Each projector runs as its own task, and only in the instance holding its advisory lock, so
/// with several instances each projector runs exactly once while the others stand by.
#[derive(Debug, Clone)]
pub struct Projections {
    store: PostgresStore,
    projectors: Vec<Arc<dyn Projector>>,
    config: RunnerConfig,
    /// Where this instance's projectors publish their commits, for requests waiting on them.
    frontier: Option<Frontier>,
}

impl Projections {
    /// `store` must run as the application role (`ctxi_app`), which owns the read models.
    pub fn new(store: PostgresStore, projectors: Vec<Arc<dyn Projector>>) -> Self {
        Self { store, projectors, config: RunnerConfig::default(), frontier: None }
    }

    /// Publishes every commit to `frontier`, and lets its waiting requests hurry the projectors.
    pub fn with_frontier(mut self, frontier: Frontier) -> Self {
        self.frontier = Some(frontier);
        self
    }

    pub fn with_config(mut self, config: RunnerConfig) -> Self {
        self.config = config;
        self
    }

    pub fn projectors(&self) -> &[Arc<dyn Projector>] {
        &self.projectors
    }

    /// Creates missing tables and checkpoint rows; see [`crate::setup`].
    pub async fn setup(&self) -> Result<(), ProjectionError> {
        crate::setup(self.store.pool(), &self.projectors).await
    }

    /// Projects until `shutdown` resolves, then lets in-flight batches commit and returns.
    /// Failures are logged and retried with backoff; they never end the run. Call
    /// [`setup`](Self::setup) first.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let (notified_tx, notified_rx) = watch::channel(Position::START);
        let listener = tokio::spawn(listen(self.store.pool().clone(), self.store.subscribe(), notified_tx));
        let shared = Shared {
            tail: Arc::new(Tail::new(self.store.clone())),
            advances: Advances::start(self.store.pool().clone()),
            frontier: self.frontier.clone(),
        };
        let tasks: Vec<_> = self
            .projectors
            .iter()
            .map(|projector| {
                let hurried = self.frontier.as_ref().map(Frontier::hurried);
                let wake = Wake::new(self.store.subscribe(), notified_rx.clone(), self.config.poll_interval, hurried);
                let follower = follow(
                    self.store.clone(),
                    shared.clone(),
                    projector.clone(),
                    self.config.clone(),
                    wake,
                    Stop::new(stop_rx.clone()),
                );
                (projector.name(), tokio::spawn(follower))
            })
            .collect();
        shutdown.await;
        let _ = stop_tx.send(true);
        for (name, task) in tasks {
            if let Err(e) = task.await {
                tracing::error!(projector = name, error = %e, "projector task ended abnormally");
            }
        }
        listener.abort();
    }
}
