//! Prometheus metrics for `GET /metrics`: HTTP requests by route, appends to the event store,
//! and how far behind each projector is.
//!
//! Requests are counted by [`track_requests`] and appends by [`MeteredStore`]; the projector
//! gauges are read from the database when [`Metrics::render`] runs, so they are never stale.

mod http;
mod store;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use eventstore::{AppendError, Committed, PostgresStore};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use sqlx::PgPool;

pub use http::track_requests;
pub use store::MeteredStore;

/// The content type of [`Metrics::render`]'s output, the OpenMetrics text format (which
/// Prometheus prefers when it scrapes).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Request latency buckets in seconds, from a cached read (1 ms) to a request about to time
/// out (10 s).
const LATENCY_BUCKETS: [f64; 13] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Seconds to build a project's vector graph: from a few thousand vectors to a few million.
const BUILD_BUCKETS: [f64; 8] = [0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1_200.0];

/// The metrics registry and its families; cheap to clone, all clones count into the same series.
#[derive(Clone, Debug)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_request_duration: Family<RouteLabels, Histogram>,
    events_appended: Counter,
    append_conflicts: Counter,
    append_duration: Histogram,
    idempotent_replays: Counter,
    projector_position: Family<ProjectorLabels, Gauge>,
    projector_lag: Family<ProjectorLabels, Gauge>,
    retrieval_cache: Family<CacheLabels, Counter>,
    word_rankings: Family<RankingLabels, Counter>,
    vector_index_builds: Histogram,
    write_visibility_wait: Histogram,
    writes_pending: Counter,
    /// Held from refreshing the projector gauges until they are encoded, so that concurrent
    /// scrapes never see each other's half-refreshed gauges.
    scrape: tokio::sync::Mutex<()>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RankingLabels {
    by: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ProjectorLabels {
    projector: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http_requests = Family::default();
        registry.register("http_requests", "HTTP requests answered, by route template", http_requests.clone());
        let http_request_duration =
            Family::new_with_constructor((|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, up to its response headers",
            Unit::Seconds,
            http_request_duration.clone(),
        );
        let events_appended = Counter::default();
        registry.register("events_appended", "Events appended to the event store", events_appended.clone());
        let append_conflicts = Counter::default();
        registry.register(
            "append_conflicts",
            "Appends rejected because a stream had moved on (optimistic concurrency)",
            append_conflicts.clone(),
        );
        let append_duration = Histogram::new(LATENCY_BUCKETS);
        registry.register_with_unit(
            "event_store_append_duration",
            "Time to append to the event store, committed and flushed to disk (or refused): \
             what every command, and every metered retrieval, waits for",
            Unit::Seconds,
            append_duration.clone(),
        );
        let idempotent_replays = Counter::default();
        registry.register(
            "idempotent_replays",
            "Retried commands answered with the stored outcome of their first run",
            idempotent_replays.clone(),
        );
        let projector_position = Family::default();
        registry.register(
            "projector_position",
            "The global position of the last event each projector has applied",
            projector_position.clone(),
        );
        let projector_lag = Family::default();
        registry.register("projector_lag", "Events each projector has yet to apply", projector_lag.clone());
        let retrieval_cache = Family::default();
        registry.register(
            "retrieval_cache_lookups",
            "Retrievals looked up in the result cache, by result (hit or miss): the cache-hit SLI",
            retrieval_cache.clone(),
        );
        let word_rankings = Family::default();
        registry.register(
            "retrieval_word_rankings",
            "Full-text rankings by where they ran: memory (the word index) or postgres (phrases, \
             negation, prefixes, and a project's queries while its index is first read)",
            word_rankings.clone(),
        );
        let vector_index_builds = Histogram::new(BUILD_BUCKETS);
        registry.register_with_unit(
            "vector_index_build_duration",
            "Background rebuilds of a project's vector index: its graph built, or dead points compacted away",
            Unit::Seconds,
            vector_index_builds.clone(),
        );
        let write_visibility_wait = Histogram::new(LATENCY_BUCKETS);
        registry.register_with_unit(
            "write_visibility_wait",
            "Time a write waited for every read model to include it before answering (read-your-writes)",
            Unit::Seconds,
            write_visibility_wait.clone(),
        );
        let writes_pending = Counter::default();
        registry.register(
            "writes_pending",
            "Writes answered 202 because the read models did not include them within CTXI_CONSISTENCY_WAIT_MS",
            writes_pending.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            http_requests,
            http_request_duration,
            events_appended,
            append_conflicts,
            append_duration,
            idempotent_replays,
            projector_position,
            projector_lag,
            retrieval_cache,
            word_rankings,
            vector_index_builds,
            write_visibility_wait,
            writes_pending,
            scrape: tokio::sync::Mutex::new(()),
        }))
    }

    /// Reads every projector's progress (checkpoints from `pool`, the head from `store`), then
    /// encodes all metrics in the text format of [`CONTENT_TYPE`].
    pub async fn render(&self, pool: &PgPool, store: &PostgresStore) -> anyhow::Result<String> {
        let _scrape = self.0.scrape.lock().await;
        let statuses = projections::status(pool, store).await.context("cannot read the projectors' progress")?;
        // Cleared first so that a removed projector's series disappears.
        self.0.projector_position.clear();
        self.0.projector_lag.clear();
        for status in statuses {
            let labels = ProjectorLabels { projector: status.name };
            self.0.projector_position.get_or_create(&labels).set(status.position.raw());
            self.0.projector_lag.get_or_create(&labels).set(status.lag_events);
        }
        self.encode()
    }

    fn encode(&self) -> anyhow::Result<String> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.0.registry).context("cannot encode the metrics")?;
        Ok(text)
    }

    fn record_request(&self, route: String, method: String, status: u16, elapsed: Duration) {
        let route_labels = RouteLabels { route, method };
        self.0.http_request_duration.get_or_create(&route_labels).observe(elapsed.as_secs_f64());
        let RouteLabels { route, method } = route_labels;
        self.0.http_requests.get_or_create(&RequestLabels { route, method, status }).inc();
    }

    /// Counts the outcome of appending `events` events, which took `elapsed`.
    fn record_append(&self, events: usize, outcome: &Result<Committed, AppendError>, elapsed: Duration) {
        self.0.append_duration.observe(elapsed.as_secs_f64());
        match outcome {
            Ok(committed) if committed.replayed => self.record_replay(),
            Ok(_) => {
                self.0.events_appended.inc_by(events as u64);
            }
            Err(AppendError::Conflict { .. }) => {
                self.0.append_conflicts.inc();
            }
            Err(_) => {}
        }
    }

    /// Counts one retrieval answered from the cache (`hit`) or not.
    pub fn record_cache_lookup(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.0.retrieval_cache.get_or_create(&CacheLabels { result }).inc();
    }

    /// Records a full-text ranking done in memory (`true`) or by PostgreSQL.
    pub fn record_word_ranking(&self, in_memory: bool) {
        let by = if in_memory { "memory" } else { "postgres" };
        self.0.word_rankings.get_or_create(&RankingLabels { by }).inc();
    }

    /// Records a project's vector index rebuilt (a graph built, or compacted) in `elapsed`.
    pub fn record_vector_index_build(&self, elapsed: Duration) {
        self.0.vector_index_builds.observe(elapsed.as_secs_f64());
    }

    /// Records how long a write waited for the read models, and whether they included it in time.
    pub fn record_write_visibility(&self, waited: Duration, visible: bool) {
        self.0.write_visibility_wait.observe(waited.as_secs_f64());
        if !visible {
            self.0.writes_pending.inc();
        }
    }

    fn record_replay(&self) {
        self.0.idempotent_replays.inc();
    }
}

#[cfg(test)]
mod tests;
