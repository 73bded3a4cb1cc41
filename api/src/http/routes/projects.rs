//! Projects of the caller's tenant. An API key sees only its own project; anything of another
//! tenant reads as not found.

use std::sync::Arc;

use api_types::{CreateProjectRequest, Problem, ProjectInfo, ProjectList, Written};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::ProjectId;
use time::OffsetDateTime;
use uuid::Uuid;

use super::written;
use crate::http::auth::{Caller, SignedIn};
use crate::http::body::{Json, Path};
use crate::http::consistency::{confirmed, settle, Consistent};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;

/// The tenant's projects, oldest first (an API key: its own project).
#[utoipa::path(get, path = "/v1/projects", tag = "projects",
    params(("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = ProjectList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
) -> Result<axum::Json<ProjectList>, ApiError> {
    let rows: Vec<(Uuid, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT project_id, name, created_at FROM projects
          WHERE tenant_id = $1 AND ($2::uuid IS NULL OR project_id = $2)
          ORDER BY created_at, project_id",
    )
    .bind(caller.tenant_id().as_uuid())
    .bind(caller.only_project().map(|p| p.as_uuid()))
    .fetch_all(&state.pool)
    .await?;
    let projects = rows.into_iter().map(|(id, name, created_at)| ProjectInfo { id, name, created_at }).collect();
    Ok(axum::Json(ProjectList { projects }))
}

/// Creates a project, within the plan's limit.
#[utoipa::path(post, path = "/v1/projects", tag = "projects", request_body = CreateProjectRequest,
    params(("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key change nothing")),
    responses((status = 201, body = Written),
        (status = 202, description = "Recorded, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = Written),
        (status = 400, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Plan limit, role, or CSRF", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
    Json(body): Json<CreateProjectRequest>,
) -> Result<Response, ApiError> {
    let ctx = request.command(signed_in.actor());
    let created = state.commands.create_project(&ctx, signed_in.tenant_id, &body.name).await?;
    let settled = settle(&state, &[signed_in.session_id.as_uuid()], created.position).await;
    let body = Written { id: created.project_id.as_uuid(), position: created.position.to_string() };
    Ok(written(StatusCode::CREATED, settled, body))
}

/// One project.
#[utoipa::path(get, path = "/v1/projects/{id}", tag = "projects",
    params(("id" = Uuid, Path), ("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = ProjectInfo),
        (status = 404, description = "No such project in your tenant", body = Problem, content_type = "application/problem+json")),
    security(("session" = []), ("api_key" = [])))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    _: Consistent,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProjectInfo>, ApiError> {
    find(&state, &caller, ProjectId::new(id)).await.map(axum::Json)
}

/// Lets `caller` read project `project_id`: an API key only its own project (which exists: keys
/// are issued for existing projects, and projects are never deleted), a user their tenant's
/// projects. For queries only: a write leaves this to its command, which decides from the
/// event store.
pub async fn access(state: &AppState, caller: &Caller, project_id: ProjectId) -> Result<(), ApiError> {
    match caller.only_project() {
        Some(only) if only == project_id => Ok(()),
        Some(_) => Err(ApiError::not_found("project")),
        None => find(state, caller, project_id).await.map(|_| ()),
    }
}

/// The project, if the caller may see it.
pub async fn find(state: &AppState, caller: &Caller, project_id: ProjectId) -> Result<ProjectInfo, ApiError> {
    if caller.only_project().is_some_and(|only| only != project_id) {
        return Err(ApiError::not_found("project"));
    }
    let lookup = || async {
        let row: Option<(String, OffsetDateTime)> =
            sqlx::query_as("SELECT name, created_at FROM projects WHERE project_id = $1 AND tenant_id = $2")
                .bind(project_id.as_uuid())
                .bind(caller.tenant_id().as_uuid())
                .fetch_optional(&state.pool)
                .await?;
        Ok::<_, ApiError>(row)
    };
    let (name, created_at) = confirmed(state, lookup).await?.ok_or_else(|| ApiError::not_found("project"))?;
    Ok(ProjectInfo { id: project_id.as_uuid(), name, created_at })
}
