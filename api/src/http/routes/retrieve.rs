//! Retrieval: the most relevant chunks of a project's documents for a query.

use std::sync::Arc;

use api_types::{Problem, RetrieveRequest, RetrieveResponse, RetrievedChunk};
use axum::extract::State;
use domain::ProjectId;
use uuid::Uuid;

use super::projects::find as find_project;
use crate::http::auth::Caller;
use crate::http::body::{Json, Path};
use crate::http::problem::ApiError;
use crate::http::AppState;

const DEFAULT_TOP_K: u32 = 5;
const MAX_TOP_K: u32 = 50;
const MAX_QUERY_CHARS: usize = 1_000;

/// Private-use characters around matches in `ts_headline`'s output: they cannot occur in
/// indexed text (extraction removes them), so after escaping the excerpt they become `<mark>`
/// tags unambiguously.
const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';
const HEADLINE_OPTIONS: &str =
    "StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

/// Full-text ranking over the project's chunks: `websearch_to_tsquery` against the chunks'
/// `tsvector` (GIN index), ranked by cover density; excerpts only for the chunks returned.
const SEARCH: &str = "
WITH q AS (SELECT websearch_to_tsquery('english', $2) AS query),
top AS (
    SELECT c.document_id, c.ordinal, c.text, d.title, ts_rank_cd(c.tsv, q.query) AS score, q.query
      FROM chunks c
      JOIN documents d USING (document_id)
     CROSS JOIN q
     WHERE c.project_id = $1
       AND c.tsv @@ q.query
       AND ($4::uuid[] IS NULL OR c.document_id = ANY($4))
       AND ($5::jsonb IS NULL OR d.metadata @> $5)
     ORDER BY score DESC, c.document_id, c.ordinal
     LIMIT $3)
SELECT document_id, title, ordinal, score::float8, text, ts_headline('english', text, query, $6)
  FROM top
 ORDER BY score DESC, document_id, ordinal";

type Hit = (Uuid, String, i32, f64, String, String);

/// Ranks the project's chunks against a query. `filter` narrows to documents by id or by
/// metadata containment.
#[utoipa::path(post, path = "/v1/projects/{id}/retrieve", tag = "retrieval", request_body = RetrieveRequest,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = RetrieveResponse),
        (status = 400, description = "Empty or overlong query, bad top_k or filter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn retrieve(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<RetrieveRequest>,
) -> Result<axum::Json<RetrieveResponse>, ApiError> {
    let project_id = ProjectId::new(id);
    find_project(&state, &caller, project_id).await?;
    let query = body.query.trim();
    if query.is_empty() {
        return Err(ApiError::invalid("query", "must not be empty"));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid("query", format!("must be at most {MAX_QUERY_CHARS} characters")));
    }
    let top_k = body.top_k.unwrap_or(DEFAULT_TOP_K);
    if !(1..=MAX_TOP_K).contains(&top_k) {
        return Err(ApiError::invalid("top_k", format!("must be between 1 and {MAX_TOP_K}")));
    }
    let filter = body.filter.unwrap_or_default();
    if let Some(metadata) = &filter.metadata {
        if !metadata.is_object() {
            return Err(ApiError::invalid("filter.metadata", "must be a JSON object"));
        }
    }
    let hits: Vec<Hit> = sqlx::query_as(SEARCH)
        .bind(id)
        .bind(query)
        .bind(i64::from(top_k))
        .bind(filter.document_ids)
        .bind(filter.metadata)
        .bind(HEADLINE_OPTIONS)
        .fetch_all(&state.pool)
        .await?;
    let results = hits
        .into_iter()
        .map(|(document_id, title, ordinal, score, text, headline)| RetrievedChunk {
            document_id,
            title,
            chunk: u32::try_from(ordinal).unwrap_or_default(),
            score,
            text,
            highlight: marked(&headline),
        })
        .collect();
    Ok(axum::Json(RetrieveResponse { results }))
}

/// Escapes an excerpt for HTML and turns the match sentinels into `<mark>` tags.
fn marked(headline: &str) -> String {
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
