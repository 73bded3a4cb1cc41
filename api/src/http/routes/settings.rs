//! A project's settings: PII policy and allow-list, injection policy, embeddings.

use std::sync::Arc;

use api_types::{Problem, ProjectSettingsBody, Written};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::{InjectionPolicy, PiiPolicy, ProjectId, ProjectSettings};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::projects::access;
use super::written;
use crate::http::auth::{Caller, SignedIn};
use crate::http::body::{Json, Path};
use crate::http::consistency::{settle, Consistent};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;

/// The project's settings.
#[utoipa::path(get, path = "/v1/projects/{id}/settings", tag = "projects",
    params(("id" = Uuid, Path), ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = ProjectSettingsBody),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProjectSettingsBody>, ApiError> {
    access(&state, &caller, ProjectId::new(id)).await?;
    current(&state, id).await.map(|settings| axum::Json(body(&settings)))
}

/// Replaces the project's settings. The embedding dimension, once declared, cannot change.
#[utoipa::path(put, path = "/v1/projects/{id}/settings", tag = "projects", request_body = ProjectSettingsBody,
    params(("id" = Uuid, Path), ("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value")),
    responses((status = 200, body = Written),
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = Written),
        (status = 400, description = "Invalid settings", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The embedding dimension is already declared", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn put(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
    Json(body): Json<ProjectSettingsBody>,
) -> Result<Response, ApiError> {
    let settings = ProjectSettings {
        pii_policy: word::<PiiPolicy>("pii_policy", &body.pii_policy, "redact, flag or off")?,
        pii_allow_list: body.pii_allow_list,
        injection_policy: word::<InjectionPolicy>("injection_policy", &body.injection_policy, "mark or withhold")?,
        embedding_dimension: body.embedding_dimension,
        max_norm_z: body.max_norm_z,
    };
    let ctx = request.command(signed_in.actor());
    let position = state.commands.configure_project(&ctx, signed_in.tenant_id, ProjectId::new(id), settings).await?;
    let settled = settle(&state, &[signed_in.session_id.as_uuid()], position).await;
    Ok(written(StatusCode::OK, settled, Written { id, position: position.to_string() }))
}

/// Reads one of a setting's words through its serde name.
fn word<T: DeserializeOwned>(field: &str, raw: &str, expected: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_ascii_lowercase()))
        .map_err(|_| ApiError::invalid(field, format!("must be one of {expected}")))
}

async fn current(state: &AppState, project_id: Uuid) -> Result<ProjectSettings, ApiError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT settings FROM project_settings WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(&state.pool)
            .await?;
    parsed(row.map(|(json,)| json))
}

/// A project's settings from their read-model row, the defaults when it has none.
pub fn parsed(row: Option<serde_json::Value>) -> Result<ProjectSettings, ApiError> {
    match row {
        Some(json) => serde_json::from_value(json).map_err(|e| ApiError::internal(&e)),
        None => Ok(ProjectSettings::default()),
    }
}

fn body(settings: &ProjectSettings) -> ProjectSettingsBody {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    ProjectSettingsBody {
        pii_policy: name(serde_json::to_value(settings.pii_policy).unwrap_or_default()),
        pii_allow_list: settings.pii_allow_list.clone(),
        injection_policy: name(serde_json::to_value(settings.injection_policy).unwrap_or_default()),
        embedding_dimension: settings.embedding_dimension,
        max_norm_z: settings.max_norm_z,
    }
}
