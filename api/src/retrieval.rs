//! Retrieval: full-text search over a project's chunks, behind a small result cache, metered.

mod cache;
mod search;

pub use cache::{CacheKey, ResultCache};
pub use search::{search, SearchQuery};
