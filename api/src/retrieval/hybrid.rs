//! Hybrid retrieval: full-text and vector rankings fused with reciprocal rank fusion.

use std::collections::HashMap;

use api_types::RetrievedChunk;
use sqlx::PgPool;

use super::details::details;
use super::search::ranked_by_words;
use super::vectors::{ChunkKey, VectorIndex};
use super::words::WordIndex;
use super::SearchQuery;

/// RRF's constant: ranks past the first few count for little, so neither ranking's head can
/// be drowned by the other's tail (Cormack et al. use 60).
const RRF_K: f64 = 60.0;
/// Candidates taken from each ranking per result asked for.
const CANDIDATES_PER_RESULT: u32 = 4;
/// Ranks by both, fuses, and returns the best `top_k` with their text, and the version of the
/// project's vectors they were ranked against. `versions` are the project's chunks' and
/// vectors' versions as the request read them; the vectors' answer may be older when another
/// request was still loading the change: such an answer must not be cached as the newer one.
pub async fn hybrid(
    pool: &PgPool,
    words: &WordIndex,
    vectors: &VectorIndex,
    q: &SearchQuery,
    embedding: &[f32],
    versions: (i64, i64),
) -> Result<(Vec<RetrievedChunk>, i64), sqlx::Error> {
    let (chunks_version, embedding_version) = versions;
    let candidates = q.top_k * CANDIDATES_PER_RESULT;
    // The words are ranked (in PostgreSQL or on a blocking thread) while the graph is searched.
    let text = ranked_by_words(pool, words, q, chunks_version, candidates);
    let nearest = vectors.nearest(pool, q.project_id, embedding_version, embedding, candidates as usize);
    let (by_words, nearest) = tokio::try_join!(text, nearest)?;
    let text_ranked: Vec<ChunkKey> = by_words.chunks.into_iter().map(|(key, _)| key).collect();
    let vector_ranked: Vec<ChunkKey> = nearest.chunks.into_iter().map(|(key, _)| key).collect();
    let fused = fuse(&[text_ranked, vector_ranked]);
    Ok((details(pool, q, &fused, &by_words.lexemes).await?, nearest.version))
}

/// Reciprocal rank fusion: each ranking adds 1 / (k + rank) to a chunk's score.
fn fuse(rankings: &[Vec<ChunkKey>]) -> Vec<(ChunkKey, f64)> {
    let mut scores: HashMap<ChunkKey, f64> = HashMap::new();
    for ranking in rankings {
        for (rank, key) in ranking.iter().enumerate() {
            *scores.entry(*key).or_default() += 1.0 / (RRF_K + rank as f64 + 1.0);
        }
    }
    let mut fused: Vec<(ChunkKey, f64)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    fused
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_chunk_both_rankings_like_beats_one_only_one_ranks_first() {
        let (a, b, c) = ((Uuid::from_u128(1), 0), (Uuid::from_u128(2), 0), (Uuid::from_u128(3), 0));
        let fused = fuse(&[vec![a, b], vec![c, b]]);
        assert_eq!(fused[0].0, b, "second in both outranks first in one: {fused:?}");
        assert_eq!(fused.len(), 3);
    }
}
