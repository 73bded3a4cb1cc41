//! Cosine search over a project's chunk vectors, held in memory: an exact scan while a project
//! is small, an HNSW graph past [`snapshot::EXACT_MAX_WORK`] (rows × dimension).
//!
//! A project's vectors are read from the `embeddings` read model on first use; after that,
//! when the project's embedding version moves, only what changed since the version held: the
//! rows written after it and the documents erased after it. Each update publishes a new
//! immutable [`Snapshot`]; a search clones the current one's `Arc` and runs without a lock.
//! While one request applies an update, the others are answered from the previous snapshot
//! (and told so, so their answers are not cached as the new version's), except before the
//! first load, when there is nothing to answer from. Slow work (building or compacting a
//! graph) happens after the update is published, in the background.

mod exact;
mod graph;
mod load;
mod snapshot;
#[cfg(test)]
mod tests;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::held::HeldProjects;
use crate::metrics::Metrics;
use load::Change;
pub use snapshot::{ChunkKey, Snapshot};

/// Every project's vectors this instance has needed; cheap to clone.
#[derive(Clone, Debug)]
pub struct VectorIndex {
    projects: Arc<HeldProjects<Held>>,
    metrics: Metrics,
}

/// One project's current snapshot, and the lock its updates take turns on.
#[derive(Debug, Default)]
struct Held {
    current: RwLock<Arc<Snapshot>>,
    updating: Arc<tokio::sync::Mutex<()>>,
}

impl Held {
    fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn publish(&self, snapshot: Arc<Snapshot>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = snapshot;
    }
}

/// The chunks found, and the version of the vectors they were ranked against: older than the
/// one asked for when another request was still applying the update.
#[derive(Debug, Clone)]
pub struct Nearest {
    pub chunks: Vec<(ChunkKey, f32)>,
    pub version: i64,
}

impl VectorIndex {
    /// The `k` chunks of the project nearest to `query`, as of `version` if it can be had now.
    pub async fn nearest(
        &self,
        pool: &PgPool,
        project_id: Uuid,
        version: i64,
        query: &[f32],
        k: usize,
    ) -> Result<Nearest, sqlx::Error> {
        let snapshot = self.snapshot(pool, project_id, version).await?;
        // A graph search is a millisecond or two of CPU: on a blocking thread it neither holds
        // up the requests sharing this worker nor the caller's queries running meanwhile.
        let query = query.to_vec();
        let search = tokio::task::spawn_blocking(move || Nearest {
            chunks: snapshot.nearest(&query, k),
            version: snapshot.version(),
        });
        match search.await {
            Ok(nearest) => Ok(nearest),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// An index whose graph builds are timed in `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { projects: Arc::default(), metrics }
    }

    /// Forgets the projects no request has searched for `idle`; returns how many.
    pub fn drop_idle(&self, idle: Duration) -> usize {
        self.projects.drop_idle(idle)
    }

    /// Most work per query (rows × dimension) left to the exact scan before the graph.
    pub fn default_exact_max_work() -> usize {
        snapshot::EXACT_MAX_WORK
    }

    /// All the project's vectors read into an exact snapshot, whatever their number, for
    /// `ctxi bench vectors` to time the graph's build ([`Snapshot::rebuilt`]) and to rank
    /// against.
    pub async fn read_exact(pool: &PgPool, project_id: Uuid) -> Result<Snapshot, sqlx::Error> {
        Ok(Snapshot::empty(usize::MAX).apply(Change::read(pool, project_id, None).await?))
    }

    /// The project's snapshot as of `version` or later, updating it if this instance holds an
    /// older one and no other request is updating it already; if one is, the current snapshot.
    pub async fn snapshot(&self, pool: &PgPool, project_id: Uuid, version: i64) -> Result<Arc<Snapshot>, sqlx::Error> {
        let held = self.projects.get(project_id);
        let current = held.current();
        if current.loaded() && current.version() >= version {
            return Ok(current);
        }
        let updating = match Arc::clone(&held.updating).try_lock_owned() {
            Ok(updating) => updating,
            Err(_) if current.loaded() => return Ok(current),
            Err(_) => Arc::clone(&held.updating).lock_owned().await,
        };
        let current = held.current();
        if current.loaded() && current.version() >= version {
            return Ok(current);
        }
        let after = current.loaded().then(|| current.version());
        let change = Change::read(pool, project_id, after).await?;
        // Applied and published on a blocking thread that holds the update lock to the end, so
        // a request that gives up waiting cannot leave an update half done.
        let (sender, receiver) = oneshot::channel();
        let previous = Arc::clone(&current);
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            let _updating = updating;
            let next = Arc::new(current.apply(change));
            held.publish(Arc::clone(&next));
            let _ = sender.send(Arc::clone(&next));
            if next.needs_rebuild() {
                let started = std::time::Instant::now();
                let rebuilt = next.rebuilt();
                metrics.record_vector_index_build(started.elapsed());
                tracing::info!(
                    %project_id, vectors = rebuilt.len(), approximate = rebuilt.approximate(),
                    seconds = started.elapsed().as_secs_f64(), "vector index rebuilt"
                );
                held.publish(Arc::new(rebuilt));
            }
        });
        Ok(receiver.await.unwrap_or(previous))
    }
}
