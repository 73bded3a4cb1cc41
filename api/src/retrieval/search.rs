//! Full-text ranking over a project's chunks: in memory ([`WordIndex`]) when it can, else in
//! PostgreSQL.

use std::collections::HashSet;

use api_types::RetrievedChunk;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::details::details;
use super::vectors::ChunkKey;
use super::words::{Parsed, WordIndex};

/// Private-use characters around matches in `ts_headline`'s output: they cannot occur in
/// indexed text (extraction removes them), so after escaping the excerpt they become `<mark>`
/// tags unambiguously.
const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';
pub(super) const HEADLINE_OPTIONS: &str =
    "StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

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

/// Full-text ranking alone, against the project's chunks as of `version` or later.
pub async fn search(
    pool: &PgPool,
    words: &WordIndex,
    q: &SearchQuery,
    version: i64,
) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    let ranked = ranked_by_words(pool, words, q, version, q.top_k).await?;
    let scored: Vec<(ChunkKey, f64)> = ranked.into_iter().map(|(key, score)| (key, f64::from(score))).collect();
    details(pool, q, &scored).await
}

/// The same ranking done wholly in PostgreSQL: what `ctxi bench retrieve` measures as direct
/// SQL beside the API.
pub async fn search_in_postgres(pool: &PgPool, q: &SearchQuery) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    let ranked = ranked_in_postgres(pool, q, q.top_k).await?;
    let scored: Vec<(ChunkKey, f64)> = ranked.into_iter().map(|(key, score)| (key, f64::from(score))).collect();
    details(pool, q, &scored).await
}

/// The `limit` chunks that rank best for the query's words by `ts_rank_cd`, best first, with
/// their scores: from the in-memory index when it can rank the query, else from PostgreSQL.
pub(super) async fn ranked_by_words(
    pool: &PgPool,
    words: &WordIndex,
    q: &SearchQuery,
    version: i64,
    limit: u32,
) -> Result<Vec<(ChunkKey, f32)>, sqlx::Error> {
    let (tsquery, with_metadata): (String, Option<Vec<Uuid>>) =
        sqlx::query_as(PREPARE).bind(&q.query).bind(q.project_id).bind(&q.metadata).fetch_one(pool).await?;
    let prepared = match Parsed::from_tsquery(&tsquery) {
        Parsed::Empty => return Ok(Vec::new()),
        Parsed::Ranked(prepared) => prepared,
        Parsed::Unsupported => {
            words.left_to_postgres();
            return ranked_in_postgres(pool, q, limit).await;
        }
    };
    let allowed = allowed(q.document_ids.as_deref(), with_metadata);
    match words.top(pool, q.project_id, version, prepared, limit as usize, allowed).await? {
        Some(ranked) => Ok(ranked),
        None => {
            words.left_to_postgres();
            ranked_in_postgres(pool, q, limit).await
        }
    }
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

/// Escapes an excerpt for HTML and turns the match sentinels into `<mark>` tags (plain text,
/// which has none, comes out merely escaped).
pub(super) fn marked(headline: &str) -> String {
    let mut out = String::with_capacity(headline.len() + 32);
    for c in headline.chars() {
        match c {
            MARK_START => out.push_str("<mark>"),
            MARK_END => out.push_str("</mark>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_escaped_and_matches_marked() {
        assert_eq!(marked("a <b> & \u{E000}term\u{E001} end"), "a &lt;b&gt; &amp; <mark>term</mark> end");
    }
}
