//! Client-supplied embeddings: the chunks to embed, submitting vectors, and the refusals.

use std::sync::Arc;

use api_types::{
    ChunkList, ChunkText, EmbeddingRejection, EmbeddingRejectionList, EmbeddingsRequest, EmbeddingsResult, Problem,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::{DocumentId, ProjectId};
use uuid::Uuid;

use super::projects::access;
use super::written;
use crate::http::auth::Caller;
use crate::http::body::{Json, Path};
use crate::http::consistency::{settle, Consistent};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;

/// The indexed chunks of a document, in order: embed these and `PUT` the vectors back.
#[utoipa::path(get, path = "/v1/projects/{id}/documents/{document_id}/chunks", tag = "documents",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path),
        ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = ChunkList),
        (status = 404, description = "No such document in this project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn chunks(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<ChunkList>, ApiError> {
    access(&state, &caller, ProjectId::new(id)).await?;
    let exists: Option<(Uuid,)> = sqlx::query_as(
        "SELECT document_id FROM documents WHERE document_id = $1 AND project_id = $2 AND tenant_id = $3",
    )
    .bind(document_id)
    .bind(id)
    .bind(caller.tenant_id().as_uuid())
    .fetch_optional(&state.pool)
    .await?;
    exists.ok_or_else(|| ApiError::not_found("document"))?;
    let rows: Vec<(i32, String)> =
        sqlx::query_as("SELECT ordinal, text FROM chunks WHERE document_id = $1 ORDER BY ordinal")
            .bind(document_id)
            .fetch_all(&state.pool)
            .await?;
    let chunks = rows
        .into_iter()
        .map(|(chunk, text)| ChunkText { chunk: u32::try_from(chunk).unwrap_or_default(), text })
        .collect();
    Ok(axum::Json(ChunkList { chunks }))
}

/// Submits one embedding per chunk, in order. Each vector is screened (dimension, finite
/// components, a norm like the project's); the refused ones are listed in the answer and kept
/// in the project's rejection log, the rest are searchable when this answers.
#[utoipa::path(put, path = "/v1/projects/{id}/documents/{document_id}/embeddings", tag = "documents",
    request_body = EmbeddingsRequest,
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 200, body = EmbeddingsResult),
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = EmbeddingsResult),
        (status = 404, description = "No such document in this project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No embedding dimension declared, the document is not indexed, or the count does not match its chunks", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn submit(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    caller: Caller,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<EmbeddingsRequest>,
) -> Result<Response, ApiError> {
    let ctx = request.command(caller.actor());
    let document = DocumentId::new(document_id);
    let submitted = state
        .commands
        .submit_embeddings(&ctx, caller.tenant_id(), ProjectId::new(id), document, body.embeddings)
        .await?;
    let settled = settle(&state, &[caller.credential()], submitted.position).await;
    let rejected = submitted
        .rejected
        .iter()
        .map(|(chunk, rejection)| EmbeddingRejection {
            document_id,
            chunk: *chunk,
            reason: reason(&serde_json::to_value(rejection).unwrap_or_default()),
            detail: rejection.to_string(),
        })
        .collect();
    let body = EmbeddingsResult { accepted: submitted.accepted, rejected, position: submitted.position.to_string() };
    Ok(written(StatusCode::OK, settled, body))
}

/// The project's refused embeddings, newest first (at most 500).
#[utoipa::path(get, path = "/v1/projects/{id}/embedding-rejections", tag = "documents",
    params(("id" = Uuid, Path), ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = EmbeddingRejectionList),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn rejections(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EmbeddingRejectionList>, ApiError> {
    access(&state, &caller, ProjectId::new(id)).await?;
    let rows: Vec<(Uuid, i32, serde_json::Value)> = sqlx::query_as(
        "SELECT document_id, chunk, rejection FROM embedding_rejections
          WHERE project_id = $1 ORDER BY position DESC LIMIT 500",
    )
    .bind(id)
    .fetch_all(&state.pool)
    .await?;
    let rejections = rows
        .into_iter()
        .map(|(document_id, chunk, rejection)| {
            let detail = serde_json::from_value::<domain::embedding::Rejection>(rejection.clone())
                .map(|r| r.to_string())
                .unwrap_or_default();
            EmbeddingRejection {
                document_id,
                chunk: u32::try_from(chunk).unwrap_or_default(),
                reason: reason(&rejection),
                detail,
            }
        })
        .collect();
    Ok(axum::Json(EmbeddingRejectionList { rejections }))
}

fn reason(rejection: &serde_json::Value) -> String {
    rejection["reason"].as_str().unwrap_or_default().to_owned()
}
