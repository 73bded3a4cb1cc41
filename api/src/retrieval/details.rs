//! The ranked chunks' titles, text and highlighted excerpts, read in one statement once the
//! ranking (in memory, in PostgreSQL, or fused) has chosen them.

use std::collections::HashMap;

use api_types::RetrievedChunk;
use sqlx::PgPool;
use uuid::Uuid;

use super::search::{marked, HEADLINE_OPTIONS};
use super::vectors::ChunkKey;
use super::SearchQuery;

/// Characters of a chunk shown as its excerpt when no query word matched it.
const PLAIN_EXCERPT_CHARS: usize = 240;

/// The first `$8` of the chosen chunks (in the order given) that still exist and pass the
/// filters, with the filters applied again (vector candidates have not been filtered yet).
/// Excerpts only for those: `ts_headline` parses and stems the chunk's text again (~0.4 ms a
/// chunk of 1,000 characters, `EXPLAIN ANALYZE` on the bench's read model), and a fused
/// ranking brings eight candidates per result. One primary-key lookup per candidate: the
/// LIMIT 1 keeps the planner from flattening the lateral subquery into a join, which with
/// stale statistics (right after a bulk import) it ran as a scan of the whole project
/// (~100 ms, `ctxi bench vectors`).
const DETAILS: &str = "
WITH kept AS (
    SELECT k.rank, c.document_id, c.ordinal, c.title, c.text, c.tsv
      FROM unnest($3::uuid[], $7::int4[]) WITH ORDINALITY AS k(document_id, ordinal, rank)
     CROSS JOIN LATERAL (
           SELECT c.document_id, c.ordinal, c.text, c.tsv, d.title
             FROM chunks c
             JOIN documents d USING (document_id)
            WHERE c.document_id = k.document_id AND c.ordinal = k.ordinal
              AND c.project_id = $1
              AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
              AND ($5::jsonb IS NULL OR d.metadata @> $5)
            LIMIT 1) c
     ORDER BY k.rank
     LIMIT $8)
SELECT document_id, ordinal, title, text,
       CASE WHEN tsv @@ websearch_to_tsquery('english', $2)
            THEN ts_headline('english', text, websearch_to_tsquery('english', $2), $6) END
  FROM kept
 ORDER BY rank";

type Detail = (Uuid, i32, String, String, Option<String>);

/// The first `top_k` of `ranked` that still exist and pass the filters, in the order given,
/// with the scores given.
pub async fn details(
    pool: &PgPool,
    q: &SearchQuery,
    ranked: &[(ChunkKey, f64)],
) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let (documents, ordinals): (Vec<Uuid>, Vec<i32>) = ranked.iter().map(|(key, _)| *key).unzip();
    let rows: Vec<Detail> = sqlx::query_as(DETAILS)
        .bind(q.project_id)
        .bind(&q.query)
        .bind(&documents)
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .bind(HEADLINE_OPTIONS)
        .bind(&ordinals)
        .bind(i64::from(q.top_k))
        .fetch_all(pool)
        .await?;
    let mut details: HashMap<ChunkKey, Detail> = rows.into_iter().map(|row| ((row.0, row.1), row)).collect();
    Ok(ranked
        .iter()
        .filter_map(|(key, score)| details.remove(key).map(|row| chunk(row, *score)))
        .take(q.top_k as usize)
        .collect())
}

fn chunk((document_id, ordinal, title, text, headline): Detail, score: f64) -> RetrievedChunk {
    let highlight = match headline {
        Some(headline) => marked(&headline),
        None => marked(&text.chars().take(PLAIN_EXCERPT_CHARS).collect::<String>()),
    };
    RetrievedChunk { document_id, title, chunk: u32::try_from(ordinal).unwrap_or_default(), score, text, highlight }
}
