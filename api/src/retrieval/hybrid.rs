//! Hybrid retrieval: full-text and vector rankings fused with reciprocal rank fusion.

use std::collections::HashMap;

use api_types::RetrievedChunk;
use sqlx::PgPool;
use uuid::Uuid;

use super::search::{marked, metadata_condition, HEADLINE_OPTIONS};
use super::vectors::{ChunkKey, VectorIndex};
use super::SearchQuery;

/// RRF's constant: ranks past the first few count for little, so neither ranking's head can
/// be drowned by the other's tail (Cormack et al. use 60).
const RRF_K: f64 = 60.0;
/// Candidates taken from each ranking per result asked for.
const CANDIDATES_PER_RESULT: u32 = 4;
/// Characters of a chunk shown as its excerpt when no query word matched it.
const PLAIN_EXCERPT_CHARS: usize = 240;

const FTS_KEYS: &str = "
SELECT c.document_id, c.ordinal
  FROM chunks c
 WHERE c.project_id = $1
   AND c.tsv @@ websearch_to_tsquery('english', $2)
   AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
   AND {metadata}
 ORDER BY ts_rank_cd(c.tsv, websearch_to_tsquery('english', $2)) DESC, c.document_id, c.ordinal
 LIMIT $3";

/// The fused candidates' text, with the filters applied again (vector candidates have not
/// been filtered yet). One primary-key lookup per candidate: the LIMIT keeps the planner from
/// flattening the lateral subquery into a join, which with stale statistics (right after a
/// bulk import) it ran as a scan of the whole project (~100 ms, `ctxi bench vectors`).
const DETAILS: &str = "
SELECT c.document_id, c.ordinal, c.title, c.text,
       CASE WHEN c.tsv @@ websearch_to_tsquery('english', $2)
            THEN ts_headline('english', c.text, websearch_to_tsquery('english', $2), $6) END
  FROM unnest($3::uuid[], $7::int4[]) AS k(document_id, ordinal)
 CROSS JOIN LATERAL (
       SELECT c.document_id, c.ordinal, c.text, c.tsv, d.title
         FROM chunks c
         JOIN documents d USING (document_id)
        WHERE c.document_id = k.document_id AND c.ordinal = k.ordinal
          AND c.project_id = $1
          AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
          AND ($5::jsonb IS NULL OR d.metadata @> $5)
        LIMIT 1) c";

type Detail = (Uuid, i32, String, String, Option<String>);

/// Ranks by both, fuses, and returns the best `top_k` with their text, and the version of the
/// project's vectors they were ranked against (older than `embedding_version` when another
/// request was still loading the change: such an answer must not be cached as the newer one).
pub async fn hybrid(
    pool: &PgPool,
    index: &VectorIndex,
    q: &SearchQuery,
    embedding: &[f32],
    embedding_version: i64,
) -> Result<(Vec<RetrievedChunk>, i64), sqlx::Error> {
    let candidates = q.top_k * CANDIDATES_PER_RESULT;
    let sql = FTS_KEYS.replace("{metadata}", metadata_condition(q.metadata.is_some()));
    let text = sqlx::query_as::<_, (Uuid, i32)>(&sql)
        .bind(q.project_id)
        .bind(&q.query)
        .bind(i64::from(candidates))
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .fetch_all(pool);
    // The words' ranking runs in PostgreSQL while the graph is searched here.
    let vectors = index.nearest(pool, q.project_id, embedding_version, embedding, candidates as usize);
    let (text_ranked, nearest) = tokio::try_join!(text, vectors)?;
    let vector_ranked: Vec<ChunkKey> = nearest.chunks.into_iter().map(|(key, _)| key).collect();
    let fused = fuse(&[text_ranked, vector_ranked]);
    let (documents, ordinals): (Vec<Uuid>, Vec<i32>) = fused.iter().map(|(key, _)| *key).unzip();
    let rows: Vec<Detail> = sqlx::query_as(DETAILS)
        .bind(q.project_id)
        .bind(&q.query)
        .bind(&documents)
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .bind(HEADLINE_OPTIONS)
        .bind(&ordinals)
        .fetch_all(pool)
        .await?;
    let mut details: HashMap<ChunkKey, Detail> = rows.into_iter().map(|row| ((row.0, row.1), row)).collect();
    let chunks = fused
        .into_iter()
        .filter_map(|(key, score)| details.remove(&key).map(|row| chunk(row, score)))
        .take(q.top_k as usize)
        .collect();
    Ok((chunks, nearest.version))
}

fn chunk((document_id, ordinal, title, text, headline): Detail, score: f64) -> RetrievedChunk {
    let highlight = match headline {
        Some(headline) => marked(&headline),
        None => marked(&text.chars().take(PLAIN_EXCERPT_CHARS).collect::<String>()),
    };
    RetrievedChunk { document_id, title, chunk: u32::try_from(ordinal).unwrap_or_default(), score, text, highlight }
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
    use super::*;

    #[test]
    fn a_chunk_both_rankings_like_beats_one_only_one_ranks_first() {
        let (a, b, c) = ((Uuid::from_u128(1), 0), (Uuid::from_u128(2), 0), (Uuid::from_u128(3), 0));
        let fused = fuse(&[vec![a, b], vec![c, b]]);
        assert_eq!(fused[0].0, b, "second in both outranks first in one: {fused:?}");
        assert_eq!(fused.len(), 3);
    }
}
