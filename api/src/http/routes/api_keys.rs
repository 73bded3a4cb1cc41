//! API keys of a project: listed and managed from the dashboard only.

use std::sync::Arc;

use api_types::{ApiKeyInfo, ApiKeyList, CreateApiKeyRequest, IssuedApiKey, Problem, Written};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::{ApiKeyId, ProjectId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::projects::find as find_project;
use super::written;
use crate::http::auth::{Caller, SignedIn};
use crate::http::body::{Json, Path};
use crate::http::consistency::{wait_for, Consistent};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;

type KeyRow = (Uuid, Uuid, String, String, OffsetDateTime, Option<OffsetDateTime>);

const SELECT_KEYS: &str =
    "SELECT key_id, project_id, name, prefix, created_at, revoked_at FROM api_keys WHERE tenant_id = $1 AND project_id = $2";

fn info((id, project_id, name, prefix, created_at, revoked_at): KeyRow) -> ApiKeyInfo {
    ApiKeyInfo { id, project_id, name, prefix, created_at, revoked_at }
}

/// The project's keys, newest first, revoked ones included.
#[utoipa::path(get, path = "/v1/projects/{id}/api-keys", tag = "api-keys",
    params(("id" = Uuid, Path), ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = ApiKeyList),
        (status = 404, description = "No such project in your tenant", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _: Consistent,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ApiKeyList>, ApiError> {
    let project_id = ProjectId::new(id);
    find_project(&state, &Caller::User(signed_in), project_id).await?;
    let rows: Vec<KeyRow> = sqlx::query_as(&format!("{SELECT_KEYS} ORDER BY created_at DESC, key_id"))
        .bind(signed_in.tenant_id.as_uuid())
        .bind(id)
        .fetch_all(&state.pool)
        .await?;
    Ok(axum::Json(ApiKeyList { api_keys: rows.into_iter().map(info).collect() }))
}

/// Issues a key. The answer holds the whole key, once: it is stored only as a hash.
#[utoipa::path(post, path = "/v1/projects/{id}/api-keys", tag = "api-keys", request_body = CreateApiKeyRequest,
    params(("id" = Uuid, Path), ("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry answers the same key, without its secret")),
    responses((status = 201, body = IssuedApiKey),
        (status = 400, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in your tenant", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
    Json(body): Json<CreateApiKeyRequest>,
) -> Result<Response, ApiError> {
    let ctx = request.command(signed_in.actor());
    let issued = state.commands.issue_api_key(&ctx, signed_in.tenant_id, ProjectId::new(id), &body.name).await?;
    // Read back what was recorded, so that a retry answers the key as first issued.
    wait_for(&state, "api_keys", issued.position).await?;
    let row: KeyRow = sqlx::query_as(&format!("{SELECT_KEYS} AND key_id = $3"))
        .bind(signed_in.tenant_id.as_uuid())
        .bind(id)
        .bind(issued.key_id.as_uuid())
        .fetch_one(&state.pool)
        .await?;
    let body = IssuedApiKey {
        api_key: info(row),
        secret: issued.secret.map(|s| s.expose().to_owned()),
        position: issued.position.to_string(),
    };
    Ok(written(StatusCode::CREATED, issued.position, body))
}

/// Revokes a key for good: requests carrying it are refused from the answer on.
#[utoipa::path(delete, path = "/v1/projects/{id}/api-keys/{key_id}", tag = "api-keys",
    params(("id" = Uuid, Path), ("key_id" = Uuid, Path), ("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value")),
    responses((status = 200, body = Written),
        (status = 404, description = "No such key in this project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
    Path((id, key_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let in_project: Option<(Uuid,)> =
        sqlx::query_as(&format!("SELECT key_id FROM ({SELECT_KEYS}) k WHERE key_id = $3"))
            .bind(signed_in.tenant_id.as_uuid())
            .bind(id)
            .bind(key_id)
            .fetch_optional(&state.pool)
            .await?;
    if in_project.is_none() {
        return Err(ApiError::not_found("api key"));
    }
    let ctx = request.command(signed_in.actor());
    let position = state.commands.revoke_api_key(&ctx, signed_in.tenant_id, ApiKeyId::new(key_id)).await?;
    wait_for(&state, "api_keys", position).await?;
    Ok(written(StatusCode::OK, position, Written { id: key_id, position: position.to_string() }))
}
