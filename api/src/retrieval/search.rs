//! Full-text ranking over a project's chunks, in PostgreSQL.

use api_types::RetrievedChunk;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// Private-use characters around matches in `ts_headline`'s output: they cannot occur in
/// indexed text (extraction removes them), so after escaping the excerpt they become `<mark>`
/// tags unambiguously.
const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';
pub(super) const HEADLINE_OPTIONS: &str =
    "StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

/// `websearch_to_tsquery` against the chunks' `tsvector` (GIN index), ranked by cover
/// density; titles and excerpts only for the chunks returned. Documents are joined before the
/// limit only when a metadata filter needs them: joining every match first cost a scan of all
/// documents per query (`ctxi bench retrieve`).
const SEARCH: &str = "
WITH q AS (SELECT websearch_to_tsquery('english', $2) AS query),
top AS (
    SELECT c.document_id, c.ordinal, c.text, ts_rank_cd(c.tsv, q.query) AS score, q.query
      FROM chunks c
     CROSS JOIN q
     WHERE c.project_id = $1
       AND c.tsv @@ q.query
       AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
       AND {metadata}
     ORDER BY score DESC, c.document_id, c.ordinal
     LIMIT $3)
SELECT t.document_id, d.title, t.ordinal, t.score::float8, t.text, ts_headline('english', t.text, t.query, $6)
  FROM top t
  JOIN documents d USING (document_id)
 ORDER BY t.score DESC, t.document_id, t.ordinal";

/// The condition a metadata filter adds (with `$5`), or none.
pub(super) fn metadata_condition(filtered: bool) -> &'static str {
    if filtered {
        "EXISTS (SELECT 1 FROM documents d WHERE d.document_id = c.document_id AND d.metadata @> $5)"
    } else {
        "$5::jsonb IS NULL"
    }
}

type Hit = (Uuid, String, i32, f64, String, String);

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

/// Full-text ranking alone.
pub async fn search(pool: &PgPool, q: &SearchQuery) -> Result<Vec<RetrievedChunk>, sqlx::Error> {
    let sql = SEARCH.replace("{metadata}", metadata_condition(q.metadata.is_some()));
    let hits: Vec<Hit> = sqlx::query_as(&sql)
        .bind(q.project_id)
        .bind(&q.query)
        .bind(i64::from(q.top_k))
        .bind(&q.document_ids)
        .bind(&q.metadata)
        .bind(HEADLINE_OPTIONS)
        .fetch_all(pool)
        .await?;
    Ok(hits
        .into_iter()
        .map(|(document_id, title, ordinal, score, text, headline)| RetrievedChunk {
            document_id,
            title,
            chunk: u32::try_from(ordinal).unwrap_or_default(),
            score,
            text,
            highlight: marked(&headline),
        })
        .collect())
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
