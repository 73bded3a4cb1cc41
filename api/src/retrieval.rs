//! Retrieval: full-text search over a project's chunks, fused with vector search when the
//! query brings an embedding, behind a small result cache, metered.

mod cache;
mod details;
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
