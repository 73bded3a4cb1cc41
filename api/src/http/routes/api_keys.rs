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
use crate::http::consistency::{settle, Consistent};
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
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = IssuedApiKey),
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
    // Should the read models be behind, the new key's own reads wait for them too.
    let settled = settle(&state, &[signed_in.session_id.as_uuid(), issued.key_id.as_uuid()], issued.position).await;
    // Read back what was recorded, so that a retry answers the key as first issued; until the
    // read model has it, the answer is made of the request (a retry's name is the same).
    let recorded: Option<KeyRow> = if settled.visible {
        sqlx::query_as(&format!("{SELECT_KEYS} AND key_id = $3"))
            .bind(signed_in.tenant_id.as_uuid())
            .bind(id)
            .bind(issued.key_id.as_uuid())
            .fetch_optional(&state.pool)
            .await?
    } else {
        None
    };
    let api_key = match recorded {
        Some(row) => info(row),
        None => ApiKeyInfo {
            id: issued.key_id.as_uuid(),
            project_id: id,
            name: body.name.trim().to_owned(),
            prefix: issued.prefix.clone(),
            created_at: ctx.at,
            revoked_at: None,
        },
    };
    let body = IssuedApiKey {
        api_key,
        secret: issued.secret.map(|s| s.expose().to_owned()),
        position: issued.position.to_string(),
    };
    Ok(written(StatusCode::CREATED, settled, body))
}

/// Revokes a key for good: requests carrying it are refused from the answer on.
#[utoipa::path(delete, path = "/v1/projects/{id}/api-keys/{key_id}", tag = "api-keys",
    params(("id" = Uuid, Path), ("key_id" = Uuid, Path), ("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value")),
    responses((status = 200, body = Written),
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = Written),
        (status = 404, description = "No such key in this project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
    Path((id, key_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let ctx = request.command(signed_in.actor());
    let position =
        state.commands.revoke_api_key(&ctx, signed_in.tenant_id, ProjectId::new(id), ApiKeyId::new(key_id)).await?;
    // Should the read models be behind, the key's requests are checked against the event store
    // (which knows it is revoked) until they catch up.
    let settled = settle(&state, &[signed_in.session_id.as_uuid(), key_id], position).await;
    Ok(written(StatusCode::OK, settled, Written { id: key_id, position: position.to_string() }))
}
