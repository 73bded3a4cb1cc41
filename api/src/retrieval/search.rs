//! Full-text ranking over a project's chunks: in memory ([`WordIndex`]) when it can, else in
//! PostgreSQL.

use std::collections::HashSet;

use api_types::RetrievedChunk;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::details::details;
use super::vectors::ChunkKey;
use super::words::{plain_tsquery, query_lexemes, Parsed, WordIndex};

/// The query's lexemes as `websearch_to_tsquery` makes them, and the project's documents
/// whose metadata contains the filter's (when there is one).
const PREPARE: &str = "
SELECT websearch_to_tsquery('english', $1)::text,
       CASE WHEN $3::jsonb IS NOT NULL
            THEN ARRAY(SELECT document_id FROM documents WHERE project_id = $2 AND metadata @> $3) END";

/// `websearch_to_tsquery` against the chunks' `tsvector` (GIN index), ranked by cover
/// density, for the queries the in-memory index leaves to PostgreSQL. Documents are joined
/// only when a metadata filter needs them: joining every match first cost a scan of all
/// documents per query (`ctxi bench retrieve`).
const RANKED: &str = "
SELECT c.document_id, c.ordinal, ts_rank_cd(c.tsv, q.query) AS score
  FROM chunks c, websearch_to_tsquery('english', $2) AS q(query)
 WHERE c.project_id = $1
   AND c.tsv @@ q.query
   AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
   AND {metadata}
 ORDER BY score DESC, c.document_id, c.ordinal
 LIMIT $3";

/// The condition a metadata filter adds (with `$5`), or none.
fn metadata_condition(filtered: bool) -> &'static str {
    if filtered {
        "EXISTS (SELECT 1 FROM documents d WHERE d.document_id = c.document_id AND d.metadata @> $5)"
    } else {
        "$5::jsonb IS NULL"
    }
}

/// A checked retrieval request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub project_id: Uuid,
    pub query: String,
    pub top_k: u32,
    pub document_ids: Option<Vec<Uuid>>,
    pub metadata: Option<Value>,
    /// The query's embedding, already screened against the project's.
    pub embedding: Option<Vec<f32>>,
}

/// What ranking by words found: the chunks, best first, with their `ts_rank_cd`, and the
/// query's lexemes, for the excerpts.
pub(super) struct WordRanking {
    pub chunks: Vec<(ChunkKey, f32)>,
    pub lexemes: Vec<String>,
}

/// Full-text ranking alone, against the project's chunks as of `version` or later.
pub async fn search(
    pool: &PgPool,
    words: &WordIndex,
    q: &SearchQuery,
    version: i64,
) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    let ranking = ranked_by_words(pool, words, q, version, q.top_k).await?;
    details(pool, q, &scored(ranking.chunks), &ranking.lexemes).await
}

/// The same ranking done wholly in PostgreSQL: what `ctxi bench retrieve` measures as direct
/// SQL beside the API.
pub async fn search_in_postgres(pool: &PgPool, q: &SearchQuery) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    let tsquery: String =
        sqlx::query_scalar("SELECT websearch_to_tsquery('english', $1)::text").bind(&q.query).fetch_one(pool).await?;
    let ranked = ranked_in_postgres(pool, q, q.top_k).await?;
    details(pool, q, &scored(ranked), &query_lexemes(&tsquery)).await
}

fn scored(ranked: Vec<(ChunkKey, f32)>) -> Vec<(ChunkKey, f64)> {
    ranked.into_iter().map(|(key, score)| (key, f64::from(score))).collect()
}

/// The `limit` chunks that rank best for the query's words by `ts_rank_cd`, best first, with
/// their scores: from the in-memory index when it can rank the query, else from PostgreSQL.
pub(super) async fn ranked_by_words(
    pool: &PgPool,
    words: &WordIndex,
    q: &SearchQuery,
    version: i64,
    limit: u32,
) -> Result<WordRanking, sqlx::Error> {
    // Most queries are plain words, parsed here: one round trip less.
    let (tsquery, with_metadata): (String, Option<Vec<Uuid>>) = match plain_tsquery(&q.query) {
        Some(tsquery) if q.metadata.is_none() => (tsquery, None),
        _ => sqlx::query_as(PREPARE).bind(&q.query).bind(q.project_id).bind(&q.metadata).fetch_one(pool).await?,
    };
    let lexemes = query_lexemes(&tsquery);
    let chunks = match Parsed::from_tsquery(&tsquery) {
        Parsed::Empty => Vec::new(),
        Parsed::Unsupported => {
            words.left_to_postgres();
            ranked_in_postgres(pool, q, limit).await?
        }
        Parsed::Ranked(prepared) => {
            let allowed = allowed(q.document_ids.as_deref(), with_metadata);
            match words.top(pool, q.project_id, version, prepared, limit as usize, allowed).await? {
                Some(ranked) => ranked,
                None => {
                    words.left_to_postgres();
                    ranked_in_postgres(pool, q, limit).await?
                }
            }
        }
    };
    Ok(WordRanking { chunks, lexemes })
}

/// The documents both filters let through; `None` when neither filters.
fn allowed(document_ids: Option<&[Uuid]>, with_metadata: Option<Vec<Uuid>>) -> Option<HashSet<Uuid>> {
    match (document_ids, with_metadata) {
        (None, None) => None,
        (Some(ids), None) => Some(ids.iter().copied().collect()),
        (None, Some(matching)) => Some(matching.into_iter().collect()),
        (Some(ids), Some(matching)) => {
            let ids: HashSet<Uuid> = ids.iter().copied().collect();
            Some(matching.into_iter().filter(|id| ids.contains(id)).collect())
        }
    }
}

async fn ranked_in_postgres(pool: &PgPool, q: &SearchQuery, limit: u32) -> Result<Vec<(ChunkKey, f32)>, sqlx::Error> {
    let sql = RANKED.replace("{metadata}", metadata_condition(q.metadata.is_some()));
    let rows: Vec<(Uuid, i32, f32)> = sqlx::query_as(&sql)
        .bind(q.project_id)
        .bind(&q.query)
        .bind(i64::from(limit))
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(document, ordinal, score)| ((document, ordinal), score)).collect())
}
