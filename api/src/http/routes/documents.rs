//! A project's documents: upload (JSON or multipart), list, read, erase. Open to the
//! project's API keys and to dashboard sessions alike.

mod upload_body;

use std::collections::BTreeMap;
use std::sync::Arc;

use api_types::{DocumentInfo, DocumentList, Problem, UploadDocumentRequest, UploadedDocument, Written};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::{DocumentId, ProjectId};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::projects::access;
use super::written;
use crate::http::auth::Caller;
use crate::http::body::Path;
use crate::http::consistency::{confirmed, settle, Consistent};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;
pub use upload_body::{UploadBody, MAX_UPLOAD_BODY};

type DocumentRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    i32,
    i32,
    Value,
    Option<String>,
    Value,
    OffsetDateTime,
    Option<OffsetDateTime>,
);

const SELECT_DOCUMENTS: &str = "SELECT document_id, project_id, title, format, status, bytes, pages, chunk_count, pii,
        failure, metadata, uploaded_at, processed_at
   FROM documents WHERE tenant_id = $1 AND project_id = $2";

fn info(row: DocumentRow) -> DocumentInfo {
    let (
        id,
        project_id,
        title,
        content_type,
        status,
        bytes,
        pages,
        chunks,
        pii,
        failure,
        metadata,
        uploaded_at,
        processed_at,
    ) = row;
    let pii: BTreeMap<String, u32> = serde_json::from_value(pii).unwrap_or_default();
    DocumentInfo {
        id,
        project_id,
        title,
        content_type,
        status,
        bytes: u64::try_from(bytes).unwrap_or_default(),
        pages: u32::try_from(pages).unwrap_or_default(),
        chunks: u32::try_from(chunks).unwrap_or_default(),
        pii,
        failure,
        metadata,
        uploaded_at,
        processed_at,
    }
}

/// Uploads a document. It is stored at once and indexed in the background: poll it until its
/// `status` is `indexed` or `failed`. JSON takes text formats; for PDF (or any file), send
/// `multipart/form-data` with a `file` part and optional `title`, `content_type`, `metadata`.
#[utoipa::path(post, path = "/v1/projects/{id}/documents", tag = "documents", request_body = UploadDocumentRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key change nothing")),
    responses((status = 202, description = "Stored; indexing follows. With X-Ctxi-Pending, the read models are behind: your next reads wait for that position", body = UploadedDocument),
        (status = 400, description = "Invalid title, metadata or format", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 10 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The content cannot be read as its format", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The plan's documents or pages are used up", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn upload(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    caller: Caller,
    Path(id): Path<Uuid>,
    UploadBody(input): UploadBody,
) -> Result<Response, ApiError> {
    let project_id = ProjectId::new(id);
    let ctx = request.command(caller.actor());
    let described = Described::of(&input);
    let accepted = state.commands.upload_document(&ctx, caller.tenant_id(), project_id, input).await?;
    let settled = settle(&state, &[caller.credential()], accepted.position).await;
    // Read back what was recorded, so that a retry answers the document as first uploaded; until
    // the read model has it, the answer is made of the request (a retry's is the same).
    let recorded = match settled.visible {
        true => find(&state, &caller, project_id, accepted.document_id).await?,
        false => None,
    };
    let document = recorded.unwrap_or_else(|| described.pending(&accepted, project_id, ctx.at));
    let body = UploadedDocument { document, position: accepted.position.to_string() };
    Ok(written(StatusCode::ACCEPTED, settled, body))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// At most this many (1 to 1000, default 100).
    limit: Option<i64>,
    /// Only documents uploaded before this one (the previous page's `next_before`).
    before: Option<Uuid>,
}

/// The project's documents, newest first, a page at a time.
#[utoipa::path(get, path = "/v1/projects/{id}/documents", tag = "documents",
    params(("id" = Uuid, Path), ("limit" = Option<i64>, Query), ("before" = Option<Uuid>, Query),
        ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = DocumentList),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path(id): Path<Uuid>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<DocumentList>, ApiError> {
    let project_id = ProjectId::new(id);
    access(&state, &caller, project_id).await?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 1000"));
    }
    // Document ids are UUIDv7: their order is upload order.
    let rows: Vec<DocumentRow> = sqlx::query_as(&format!(
        "{SELECT_DOCUMENTS} AND ($3::uuid IS NULL OR document_id < $3) ORDER BY document_id DESC LIMIT $4"
    ))
    .bind(caller.tenant_id().as_uuid())
    .bind(id)
    .bind(query.before)
    .bind(limit + 1)
    .fetch_all(&state.pool)
    .await?;
    let mut documents: Vec<DocumentInfo> = rows.into_iter().map(info).collect();
    let next_before = (documents.len() as i64 > limit).then(|| {
        documents.truncate(limit as usize);
        documents.last().map(|d| d.id)
    });
    Ok(axum::Json(DocumentList { documents, next_before: next_before.flatten() }))
}

/// One document.
#[utoipa::path(get, path = "/v1/projects/{id}/documents/{document_id}", tag = "documents",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path),
        ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = DocumentInfo),
        (status = 404, description = "No such document in this project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<DocumentInfo>, ApiError> {
    let project_id = ProjectId::new(id);
    access(&state, &caller, project_id).await?;
    one(&state, &caller, project_id, DocumentId::new(document_id)).await.map(axum::Json)
}

/// Erases a document: its content, title, metadata and chunks are destroyed (its key is
/// shredded) and it is gone from listings and retrieval when this answers.
#[utoipa::path(delete, path = "/v1/projects/{id}/documents/{document_id}", tag = "documents",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 200, body = Written),
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = Written),
        (status = 404, description = "No such document in this project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn erase(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    caller: Caller,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let ctx = request.command(caller.actor());
    let document = DocumentId::new(document_id);
    let position = state.commands.erase_document(&ctx, caller.tenant_id(), ProjectId::new(id), document).await?;
    // Answered once the document is gone from every read model holding its content (chunks and
    // vectors are two projectors'), or with 202 if they are behind.
    let settled = settle(&state, &[caller.credential()], position).await;
    Ok(written(StatusCode::OK, settled, Written { id: document_id, position: position.to_string() }))
}

async fn one(
    state: &AppState,
    caller: &Caller,
    project_id: ProjectId,
    document_id: DocumentId,
) -> Result<DocumentInfo, ApiError> {
    confirmed(state, || find(state, caller, project_id, document_id))
        .await?
        .ok_or_else(|| ApiError::not_found("document"))
}

async fn find(
    state: &AppState,
    caller: &Caller,
    project_id: ProjectId,
    document_id: DocumentId,
) -> Result<Option<DocumentInfo>, ApiError> {
    let row: Option<DocumentRow> = sqlx::query_as(&format!("{SELECT_DOCUMENTS} AND document_id = $3"))
        .bind(caller.tenant_id().as_uuid())
        .bind(project_id.as_uuid())
        .bind(document_id.as_uuid())
        .fetch_optional(&state.pool)
        .await?;
    Ok(row.map(info))
}

/// What an upload says of its document, for the answer while the read model does not have it.
struct Described {
    title: String,
    content_type: String,
    bytes: u64,
    metadata: Value,
}

impl Described {
    fn of(input: &commands::UploadInput) -> Self {
        Self {
            title: input.title.trim().to_owned(),
            content_type: input.format.to_string(),
            bytes: input.bytes.len() as u64,
            metadata: input.metadata.clone(),
        }
    }

    fn pending(self, accepted: &commands::DocumentAccepted, project_id: ProjectId, at: OffsetDateTime) -> DocumentInfo {
        DocumentInfo {
            id: accepted.document_id.as_uuid(),
            project_id: project_id.as_uuid(),
            title: self.title,
            content_type: self.content_type,
            status: "pending".into(),
            bytes: self.bytes,
            pages: accepted.pages,
            chunks: 0,
            pii: BTreeMap::new(),
            failure: None,
            metadata: self.metadata,
            uploaded_at: at,
            processed_at: None,
        }
    }
}
