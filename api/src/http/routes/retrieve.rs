//! Retrieval: the most relevant chunks of a project's documents for a query, metered.

use std::sync::Arc;

use api_types::{Problem, ProblemType, RetrieveRequest, RetrieveResponse};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::embedding::{check, EmbeddingGuard, NormStats};
use domain::project::MAX_EMBEDDING_DIMENSION;
use domain::ProjectId;
use uuid::Uuid;

use super::positioned;
use super::projects::access;
use crate::http::auth::Caller;
use crate::http::body::{Json, Path};
use crate::http::consistency::Consistent;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::metering::Refusal;
use crate::retrieval::{hybrid, search, CacheKey, SearchQuery};

const DEFAULT_TOP_K: u32 = 5;
const MAX_TOP_K: u32 = 50;
const MAX_QUERY_CHARS: usize = 1_000;

/// Ranks the project's chunks against a query. `filter` narrows to documents by id or by
/// metadata containment. Every 2xx answer is a retrieval metered against the plan.
#[utoipa::path(post, path = "/v1/projects/{id}/retrieve", tag = "retrieval", request_body = RetrieveRequest,
    params(("id" = Uuid, Path), ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = RetrieveResponse),
        (status = 400, description = "Empty or overlong query, bad top_k or filter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This month's retrievals are used up", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn retrieve(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path(id): Path<Uuid>,
    Json(body): Json<RetrieveRequest>,
) -> Result<Response, ApiError> {
    let project_id = ProjectId::new(id);
    access(&state, &caller, project_id).await?;
    let mut query = checked(id, body)?;
    // A query embedding may still be refused (400), and a refused request is no retrieval: it
    // is screened before the metering starts. Nothing can refuse a text query from here on but
    // a failure of ours, so its versions read runs beside the metering: one round trip less.
    let screened = match &query.embedding {
        Some(embedding) => {
            let versions = Versions::read(&state, id).await?;
            screen_query_embedding(embedding, &versions)?;
            Some(versions)
        }
        None => None,
    };
    let search = async {
        let versions = match screened {
            Some(versions) => versions,
            None => Versions::read(&state, id).await?,
        };
        cached_search(&state, &mut query, &versions).await
    };
    // The search and the metering run together: the answer waits for whichever is slower,
    // and is only sent once the retrieval is durably counted.
    let (results, metered) = tokio::join!(search, state.meter.meter(caller.tenant_id(), project_id));
    let position = metered.map_err(|refusal| match refusal {
        Refusal::Quota(_) => ApiError::from(commands::CommandError::from(refusal)),
        Refusal::Failed(reason) => {
            tracing::error!(%reason, "a retrieval could not be metered");
            ApiError::new(
                ProblemType::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                "usage could not be recorded; retry",
            )
        }
    })?;
    // The position of the event that counted it; `GET /v1/usage` includes it without waiting
    // here (usage reads at the head of the log).
    Ok(positioned(StatusCode::OK, position, RetrieveResponse { results: results?.as_ref().clone() }))
}

/// The positions of the last changes to a project's chunks and to its vectors, the vectors'
/// norm statistics and the project's settings: what screening a query embedding needs, in the
/// same round trip.
struct Versions {
    chunks: i64,
    embeddings: i64,
    stats: Option<serde_json::Value>,
    settings: Option<serde_json::Value>,
}

impl Versions {
    async fn read(state: &AppState, project_id: Uuid) -> Result<Self, ApiError> {
        type Row = (Option<i64>, Option<i64>, Option<serde_json::Value>, Option<serde_json::Value>);
        let (chunks, embeddings, stats, settings): Row = sqlx::query_as(
            "SELECT p.version, e.version, e.stats, s.settings
               FROM (SELECT $1::uuid AS project_id) AS k
               LEFT JOIN project_versions p USING (project_id)
               LEFT JOIN embedding_versions e USING (project_id)
               LEFT JOIN project_settings s USING (project_id)",
        )
        .bind(project_id)
        .fetch_one(&state.pool)
        .await?;
        Ok(Self { chunks: chunks.unwrap_or(0), embeddings: embeddings.unwrap_or(0), stats, settings })
    }
}

/// Vector-injection defence on the query embedding too: the project's dimension, finite
/// components, a norm like the project's.
fn screen_query_embedding(embedding: &[f32], versions: &Versions) -> Result<(), ApiError> {
    let settings = super::settings::parsed(versions.settings.clone())?;
    let Some(dimension) = settings.embedding_dimension else {
        return Err(ApiError::invalid(
            "query_embedding",
            "the project has no embedding_dimension: declare it in the project settings and submit chunk embeddings first",
        ));
    };
    let stats: NormStats = versions.stats.clone().and_then(|s| serde_json::from_value(s).ok()).unwrap_or_default();
    let guard = EmbeddingGuard { max_z: settings.max_norm_z, ..EmbeddingGuard::new(dimension) };
    check(embedding, &guard, &stats)
        .map(|_| ())
        .map_err(|rejection| ApiError::invalid("query_embedding", rejection.to_string()))
}

async fn cached_search(
    state: &AppState,
    query: &mut SearchQuery,
    versions: &Versions,
) -> Result<Arc<Vec<api_types::RetrievedChunk>>, ApiError> {
    let key = CacheKey::new(query, versions.chunks, versions.embeddings);
    if let Some(results) = state.cache.get(&key) {
        state.metrics.record_cache_lookup(true);
        return Ok(results);
    }
    state.metrics.record_cache_lookup(false);
    let results = match query.embedding.take() {
        Some(embedding) => {
            let (results, ranked_against) = hybrid(
                &state.pool,
                &state.words,
                &state.vectors,
                query,
                &embedding,
                (versions.chunks, versions.embeddings),
            )
            .await?;
            // Ranked while another request was loading the newer vectors: not this key's answer.
            if ranked_against < versions.embeddings {
                return Ok(Arc::new(results));
            }
            results
        }
        None => search(&state.pool, &state.words, query, versions.chunks).await?,
    };
    let results = Arc::new(results);
    state.cache.put(key, Arc::clone(&results));
    Ok(results)
}

fn checked(project_id: Uuid, body: RetrieveRequest) -> Result<SearchQuery, ApiError> {
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
    if filter.metadata.as_ref().is_some_and(|m| !m.is_object()) {
        return Err(ApiError::invalid("filter.metadata", "must be a JSON object"));
    }
    if body.query_embedding.as_ref().is_some_and(|e| e.is_empty() || e.len() > MAX_EMBEDDING_DIMENSION as usize) {
        return Err(ApiError::invalid("query_embedding", "must have the project's embedding dimension"));
    }
    Ok(SearchQuery {
        project_id,
        query: query.to_owned(),
        top_k,
        document_ids: filter.document_ids,
        metadata: filter.metadata,
        embedding: body.query_embedding,
    })
}
