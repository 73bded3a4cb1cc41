//! The ranked chunks' titles, text and excerpts, read in one statement once the ranking (in
//! memory, in PostgreSQL, or fused) has chosen them.

use api_types::RetrievedChunk;
use sqlx::PgPool;
use uuid::Uuid;

use super::highlight::Highlighter;
use super::vectors::ChunkKey;
use super::SearchQuery;

/// The first `$6` of the chosen chunks (in the order given) that still exist and pass the
/// filters, applied again (vector candidates have not been filtered yet). One primary-key
/// lookup per candidate: the LIMIT 1 keeps the planner from flattening the lateral subquery
/// into a join, which with stale statistics (right after a bulk import) it ran as a scan of
/// the whole project (~100 ms, `ctxi bench vectors`).
const DETAILS: &str = "
SELECT c.document_id, c.ordinal, c.title, c.text
  FROM unnest($2::uuid[], $3::int4[]) WITH ORDINALITY AS k(document_id, ordinal, rank)
 CROSS JOIN LATERAL (
       SELECT c.document_id, c.ordinal, c.text, d.title
         FROM chunks c
         JOIN documents d USING (document_id)
        WHERE c.document_id = k.document_id AND c.ordinal = k.ordinal
          AND c.project_id = $1
          AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
          AND ($5::jsonb IS NULL OR d.metadata @> $5)
        LIMIT 1) c
 ORDER BY k.rank
 LIMIT $6";

type Detail = (Uuid, i32, String, String);

/// The first `top_k` of `ranked` that still exist and pass the filters, in the order given,
/// with the scores given and `lexemes` marked in their excerpts.
pub async fn details(
    pool: &PgPool,
    q: &SearchQuery,
    ranked: &[(ChunkKey, f64)],
    lexemes: &[String],
) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let (documents, ordinals): (Vec<Uuid>, Vec<i32>) = ranked.iter().map(|(key, _)| *key).unzip();
    let rows: Vec<Detail> = sqlx::query_as(DETAILS)
        .bind(q.project_id)
        .bind(&documents)
        .bind(&ordinals)
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .bind(i64::from(q.top_k))
        .fetch_all(pool)
        .await?;
    let scores: std::collections::HashMap<ChunkKey, f64> = ranked.iter().copied().collect();
    let highlighter = Highlighter::new(lexemes);
    Ok(rows
        .into_iter()
        .map(|(document_id, ordinal, title, text)| RetrievedChunk {
            document_id,
            title,
            chunk: u32::try_from(ordinal).unwrap_or_default(),
            score: scores.get(&(document_id, ordinal)).copied().unwrap_or_default(),
            highlight: highlighter.excerpt(&text),
            text,
        })
        .collect())
}
