//! Full-text ranking in memory: each project's chunks' `tsvector`s held as an inverted index,
//! ranked by the same cover density as PostgreSQL's `ts_rank_cd`, to the same bits.
//!
//! PostgreSQL ranks a query by computing `ts_rank_cd` on every chunk that matches it before the
//! limit; for a query of common words that is thousands of chunks at ~3 µs each (detoasting
//! and re-sorting each `tsvector`), which two cores cannot do 200 times a second. Here the
//! matching chunks are found by walking the query lexemes' lists together and each is scored
//! from a few positions held in memory. PostgreSQL still turns text into lexemes (chunks'
//! `tsvector`s, `websearch_to_tsquery`), so words match exactly as before; a query of plain
//! words alone is turned into lexemes here, as PostgreSQL would (`plain.rs`).
//!
//! Queries with phrases, negation or prefixes are left to PostgreSQL, as are all queries of a
//! project while its index is first read (if that takes longer than [`FIRST_LOAD_WAIT`]).
//! After the first read, a project's index follows its content version like the vector index
//! (`vectors.rs`): only the documents changed after the version held are read, and a request
//! waits for the update that brings what it asked for (read-your-writes).

mod load;
mod parse;
mod plain;
mod rank;
mod segment;
mod snapshot;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use super::held::HeldProjects;
use super::vectors::ChunkKey;
use crate::metrics::Metrics;
use load::Change;
use rank::Node;
use snapshot::{Documents, Snapshot};

pub use plain::plain_tsquery;

/// How long the request that starts a project's first read waits for it before PostgreSQL
/// ranks instead. A small project's read takes a few milliseconds; 100k chunks take seconds.
const FIRST_LOAD_WAIT: Duration = Duration::from_millis(200);

/// A query ready to rank: its lexemes, its tree and each lexeme's rank in bytewise order.
#[derive(Debug, Clone)]
pub struct Prepared {
    lexemes: Vec<String>,
    tree: Node,
    order: Vec<usize>,
    /// The lexemes every match holds (a bit each).
    required: u64,
    /// Whether each set of lexemes present matches, for queries of a few lexemes: a lookup
    /// instead of a walk of the tree for every chunk.
    truth: Option<Vec<bool>>,
}

/// Most lexemes a query may have for its truth table (4,096 entries).
const TRUTH_TABLE_LEXEMES: usize = 12;

impl Prepared {
    fn new(lexemes: Vec<String>, tree: Node) -> Self {
        let mut sorted: Vec<&String> = lexemes.iter().collect();
        sorted.sort();
        let order = lexemes.iter().map(|l| sorted.iter().position(|s| *s == l).unwrap_or(0)).collect();
        let truth = (lexemes.len() <= TRUTH_TABLE_LEXEMES)
            .then(|| (0..1u64 << lexemes.len()).map(|p| tree.matches(p)).collect());
        Self { required: tree.required(), lexemes, tree, order, truth }
    }

    /// Whether the lexemes in `present` (a bit each) satisfy the query.
    fn matches(&self, present: u64) -> bool {
        match &self.truth {
            Some(truth) => truth[present as usize],
            None => self.tree.matches(present),
        }
    }
}

/// What `websearch_to_tsquery` made of a query, for this index.
#[derive(Debug)]
pub enum Parsed {
    Ranked(Arc<Prepared>),
    /// Only stop words: nothing matches.
    Empty,
    /// Phrases, negation, prefixes: PostgreSQL ranks these.
    Unsupported,
}

/// The lexemes of `websearch_to_tsquery(…)::text` a match may hold (not those negated), for
/// marking them in excerpts.
pub fn query_lexemes(tsquery: &str) -> Vec<String> {
    parse::positive_lexemes(tsquery)
}

impl Parsed {
    /// Reads `websearch_to_tsquery(…)::text`.
    pub fn from_tsquery(text: &str) -> Self {
        match parse::tsquery(text) {
            Ok(Some(query)) => Parsed::Ranked(Arc::new(Prepared::new(query.lexemes, query.tree))),
            Ok(None) => Parsed::Empty,
            Err(()) => Parsed::Unsupported,
        }
    }
}

/// Every project's full-text index this instance has needed; cheap to clone.
#[derive(Clone, Debug)]
pub struct WordIndex {
    projects: Arc<HeldProjects<Held>>,
    metrics: Metrics,
}

/// One project's current snapshot, and the lock its updates take turns on (guarding where
/// each document's chunks are, which only updates need).
#[derive(Debug, Default)]
struct Held {
    current: RwLock<Arc<Snapshot>>,
    updating: Arc<tokio::sync::Mutex<Documents>>,
}

impl Held {
    fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn publish(&self, snapshot: Arc<Snapshot>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = snapshot;
    }
}

fn holds(snapshot: &Snapshot, version: i64) -> bool {
    snapshot.version().is_some_and(|held| held >= version)
}

impl WordIndex {
    /// An index that counts where rankings ran in `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { projects: Arc::default(), metrics }
    }

    /// Forgets the projects no request has ranked for `idle`; returns how many.
    pub fn drop_idle(&self, idle: Duration) -> usize {
        self.projects.drop_idle(idle)
    }

    /// Counts a ranking PostgreSQL did instead.
    pub fn left_to_postgres(&self) {
        self.metrics.record_word_ranking(false);
    }

    /// The `k` chunks of the project that rank best for `query` by `ts_rank_cd`, best first,
    /// as of `version` or later, among the documents in `allowed` (all if `None`). `None`
    /// while the project's index is first read: rank in PostgreSQL instead.
    pub async fn top(
        &self,
        pool: &PgPool,
        project_id: Uuid,
        version: i64,
        query: Arc<Prepared>,
        k: usize,
        allowed: Option<HashSet<Uuid>>,
    ) -> Result<Option<Vec<(ChunkKey, f32)>>, sqlx::Error> {
        let Some(snapshot) = self.snapshot(pool, project_id, version).await? else {
            return Ok(None);
        };
        self.metrics.record_word_ranking(true);
        // A query of common words scores thousands of chunks: off the async workers.
        let ranked = tokio::task::spawn_blocking(move || snapshot.top(&query, k, allowed.as_ref()));
        match ranked.await {
            Ok(ranked) => Ok(Some(ranked)),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// The project's snapshot as of `version` or later; `None` if its first read is under way
    /// (or takes longer than [`FIRST_LOAD_WAIT`]).
    async fn snapshot(
        &self,
        pool: &PgPool,
        project_id: Uuid,
        version: i64,
    ) -> Result<Option<Arc<Snapshot>>, sqlx::Error> {
        let held = self.projects.get(project_id);
        let current = held.current();
        if holds(&current, version) {
            return Ok(Some(current));
        }
        let loaded = current.version().is_some();
        let documents = match Arc::clone(&held.updating).try_lock_owned() {
            Ok(documents) => documents,
            Err(_) if !loaded => return Ok(None),
            Err(_) => Arc::clone(&held.updating).lock_owned().await,
        };
        // Its own task: a request that stops waiting (or is dropped) leaves the update whole.
        let update = tokio::spawn(update(pool.clone(), project_id, version, held, documents));
        let joined = if loaded {
            update.await
        } else {
            match tokio::time::timeout(FIRST_LOAD_WAIT, update).await {
                Ok(joined) => joined,
                Err(_) => return Ok(None),
            }
        };
        match joined {
            Ok(snapshot) => snapshot.map(Some),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

/// A project's whole index read at once, for `ctxi bench retrieve` to time reading and
/// ranking apart from the API.
#[derive(Debug)]
pub struct WholeIndex(Snapshot);

impl WholeIndex {
    pub async fn read(pool: &PgPool, project_id: Uuid) -> Result<Self, sqlx::Error> {
        let change = Change::read(pool, project_id, None).await?;
        Ok(Self(Snapshot::default().apply(change, &mut Documents::new())))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn top(&self, query: &Prepared, k: usize) -> Vec<(ChunkKey, f32)> {
        self.0.top(query, k, None)
    }

    /// Bytes the index holds on the heap, about.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

/// Brings the project's snapshot to `version` or later (unless another update already did)
/// and publishes it.
async fn update(
    pool: PgPool,
    project_id: Uuid,
    version: i64,
    held: Arc<Held>,
    mut documents: OwnedMutexGuard<Documents>,
) -> Result<Arc<Snapshot>, sqlx::Error> {
    let current = held.current();
    if holds(&current, version) {
        return Ok(current);
    }
    let started = std::time::Instant::now();
    let change = match Change::read(&pool, project_id, current.version()).await {
        Ok(change) => change,
        Err(e) => {
            tracing::warn!(%project_id, error = %e, "the project's word index could not be read");
            return Err(e);
        }
    };
    let first = current.version().is_none();
    let applied = tokio::task::spawn_blocking(move || {
        let next = Arc::new(current.apply(change, &mut documents));
        held.publish(Arc::clone(&next));
        next
    });
    let next = match applied.await {
        Ok(next) => next,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    if first {
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(%project_id, chunks = next.len(), seconds, "word index read");
    }
    Ok(next)
}
