//! Retrieval: full-text search over a project's chunks, fused with vector search when the
//! query brings an embedding, behind a small result cache, metered.

mod cache;
mod details;
mod held;
mod highlight;
mod hybrid;
mod search;
mod vectors;
mod words;

pub use cache::{CacheKey, ResultCache};
pub use hybrid::hybrid;
pub use search::{search, search_in_postgres, SearchQuery};
pub use vectors::VectorIndex;
pub use words::{Parsed, WholeIndex, WordIndex};

/// Drops the in-memory indexes of projects no request used for `idle`, checking every minute
/// (or every `idle`, if shorter); runs until the runtime stops.
pub async fn drop_idle_indexes(words: WordIndex, vectors: VectorIndex, idle: std::time::Duration) {
    let mut every =
        tokio::time::interval(idle.clamp(std::time::Duration::from_millis(10), std::time::Duration::from_secs(60)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let (dropped_words, dropped_vectors) = (words.drop_idle(idle), vectors.drop_idle(idle));
        if dropped_words + dropped_vectors > 0 {
            tracing::info!(
                word_indexes = dropped_words,
                vector_indexes = dropped_vectors,
                idle_seconds = idle.as_secs(),
                "dropped the retrieval indexes of idle projects"
            );
        }
    }
}
