//! A small in-process cache of retrieval results for repeated identical queries.
//!
//! Entries are keyed by the project's content version (the position of the last change to its
//! chunks, from `project_versions`), so a change to a project's documents makes its old
//! entries unreachable at once; they age out of the LRU. Each instance has its own cache; a
//! version read from the database is what makes them all agree.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use api_types::RetrievedChunk;
use lru::LruCache;
use serde_json::Value;
use uuid::Uuid;

use super::SearchQuery;

/// Results kept, most recently used first out of eviction.
const ENTRIES: usize = 2_048;

/// What makes two retrievals the same question about the same content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    project_id: Uuid,
    version: i64,
    /// The query with its whitespace collapsed: `a  b` and `a b` search the same.
    query: String,
    top_k: u32,
    document_ids: Option<Vec<Uuid>>,
    /// Compact JSON: object keys are sorted by serde_json, so equal objects give equal text.
    metadata: Option<String>,
    /// The query embedding's bits, and the version of the project's vectors it was ranked against.
    embedding: Option<Vec<u32>>,
    embedding_version: i64,
}

impl CacheKey {
    pub fn new(q: &SearchQuery, version: i64, embedding_version: i64) -> Self {
        Self {
            project_id: q.project_id,
            version,
            query: q.query.split_whitespace().collect::<Vec<_>>().join(" "),
            top_k: q.top_k,
            document_ids: q.document_ids.clone(),
            metadata: q.metadata.as_ref().map(Value::to_string),
            embedding: q.embedding.as_ref().map(|v| v.iter().map(|x| x.to_bits()).collect()),
            embedding_version,
        }
    }
}

/// Shared by all handlers; cheap to clone.
#[derive(Clone, Debug)]
pub struct ResultCache(Arc<Mutex<LruCache<CacheKey, Arc<Vec<RetrievedChunk>>>>>);

impl Default for ResultCache {
    fn default() -> Self {
        Self::with_capacity(ENTRIES)
    }
}

impl ResultCache {
    pub fn with_capacity(entries: usize) -> Self {
        let capacity = NonZeroUsize::new(entries).unwrap_or(NonZeroUsize::MIN);
        Self(Arc::new(Mutex::new(LruCache::new(capacity))))
    }

    pub fn get(&self, key: &CacheKey) -> Option<Arc<Vec<RetrievedChunk>>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    pub fn put(&self, key: CacheKey, results: Arc<Vec<RetrievedChunk>>) {
        if let Ok(mut cache) = self.0.lock() {
            cache.put(key, results);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            project_id: Uuid::nil(),
            query: text.into(),
            top_k: 5,
            document_ids: None,
            metadata: None,
            embedding: None,
        }
    }

    #[test]
    fn the_same_question_hits_and_a_new_version_misses() {
        let cache = ResultCache::with_capacity(4);
        cache.put(CacheKey::new(&query("refund  policy"), 7, 0), Arc::new(vec![]));
        assert!(cache.get(&CacheKey::new(&query(" refund policy "), 7, 0)).is_some());
        assert!(cache.get(&CacheKey::new(&query("refund policy"), 8, 0)).is_none(), "documents changed");
        assert!(cache.get(&CacheKey::new(&SearchQuery { top_k: 6, ..query("refund policy") }, 7, 0)).is_none());
    }
}
