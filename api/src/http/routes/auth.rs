//! Signing up, in and out, and who is signed in.

use std::sync::Arc;

use api_types::{LoginRequest, Me, MeTenant, MeUser, Problem, SignupRequest, SignupResponse, Written};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use commands::{SignupInput, StartedSession};
use domain::{TenantId, UserId};
use eventstore::Actor;
use time::OffsetDateTime;
use uuid::Uuid;

use super::written;
use crate::http::auth::{sign_in_cookies, sign_out_cookies, SignedIn};
use crate::http::body::Json;
use crate::http::consistency::{confirmed, settle, Consistent, Settled};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::AppState;

/// Creates an organisation and its owner, and signs the owner in.
#[utoipa::path(post, path = "/v1/signup", tag = "auth", request_body = SignupRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key change nothing")),
    responses(
        (status = 201, description = "Signed up and signed in; sets the session and CSRF cookies", body = SignupResponse),
        (status = 202, description = "Signed up and signed in, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = SignupResponse),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email address is already in use", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn signup(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    Json(body): Json<SignupRequest>,
) -> Result<Response, ApiError> {
    let ctx = request.command(Actor::System("signup".into()));
    let SignupRequest { tenant, email, password, plan, name } = body;
    let signup = state.commands.signup(&ctx, SignupInput { tenant, email, password, plan, name }).await?;
    let session = start_session(&state, &request, signup.user_id, signup.tenant_id).await?;
    let body = SignupResponse {
        tenant_id: signup.tenant_id.as_uuid(),
        user_id: signup.user_id.as_uuid(),
        position: session.settled.position.to_string(),
    };
    Ok(signed_in(&state, StatusCode::CREATED, &session, body))
}

/// Signs in with email and password.
#[utoipa::path(post, path = "/v1/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; sets the session and CSRF cookies", body = Me),
        (status = 202, description = "Signed in, but the read models are behind: X-Ctxi-Pending names the position your next reads wait for", body = Written),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let wrong = || ApiError::unauthorized("the email address or the password is wrong");
    let user_id = state.commands.authenticate(&body.email, &body.password).await?.ok_or_else(wrong)?;
    // The credentials came from the event store; the tenant is looked up, again at the log's
    // head if the read models know none yet (a signup a moment ago, elsewhere).
    let tenant_id = confirmed(&state, || first_tenant(&state, user_id)).await?.ok_or_else(wrong)?;
    let session = start_session(&state, &request, user_id, tenant_id).await?;
    match me_of(&state, user_id, tenant_id).await? {
        Some(me) => Ok(signed_in(&state, StatusCode::OK, &session, me)),
        None if session.settled.visible => Err(ApiError::not_found("user")),
        // Signed in (202), while the read models do not have the user's details yet.
        None => {
            let body = Written { id: user_id.as_uuid(), position: session.settled.position.to_string() };
            Ok(signed_in(&state, StatusCode::OK, &session, body))
        }
    }
}

/// A write's answer that also hands the browser the session's cookies.
fn signed_in(state: &AppState, status: StatusCode, session: &Session, body: impl serde::Serialize) -> Response {
    let mut response = written(status, session.settled, body);
    set_cookies(
        response.headers_mut(),
        sign_in_cookies(&state.csrf, &session.started.token, state.session_ttl, state.secure_cookies),
    );
    response
}

/// Ends the session. Needs the CSRF token, like every cookie-authenticated write.
#[utoipa::path(post, path = "/v1/logout", tag = "auth",
    params(("X-CSRF-Token" = String, Header, description = "The ctxi_csrf cookie's value")),
    responses(
        (status = 204, description = "Signed out; the cookies are cleared"),
        (status = 202, description = "Signed out and the cookies cleared, but the read models are behind: a request with the old cookie is checked against the event store and refused"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSRF token missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<Arc<AppState>>,
    request: RequestContext,
    signed_in: SignedIn,
) -> Result<Response, ApiError> {
    let ctx = request.command(Actor::User(signed_in.user_id.as_uuid())).in_tenant(signed_in.tenant_id);
    let position = state.commands.end_session(&ctx, signed_in.session_id).await?;
    // Once this answers, the old cookie no longer works anywhere: with 204 the read models refuse
    // it; with 202 they are behind, and its session's floor has requests with it checked against
    // the event store, which refuses it.
    let settled = settle(&state, &[signed_in.session_id.as_uuid()], position).await;
    let status = if settled.visible { StatusCode::NO_CONTENT } else { StatusCode::ACCEPTED };
    let mut response = status.into_response();
    set_cookies(response.headers_mut(), sign_out_cookies(state.secure_cookies));
    Ok(response)
}

/// The signed-in user, their tenant and role.
#[utoipa::path(get, path = "/v1/me", tag = "auth",
    params(("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _: Consistent,
) -> Result<axum::Json<Me>, ApiError> {
    let me = me_of(&state, signed_in.user_id, signed_in.tenant_id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    Ok(axum::Json(me))
}

/// A session started, and whether the read models have it (and everything before it).
struct Session {
    started: StartedSession,
    settled: Settled,
}

/// Starts a session and waits until every read model has it, so that the next request,
/// whatever it reads, sees the user signed in.
async fn start_session(
    state: &AppState,
    request: &RequestContext,
    user_id: UserId,
    tenant_id: TenantId,
) -> Result<Session, ApiError> {
    let ctx = request.command(Actor::User(user_id.as_uuid())).in_tenant(tenant_id);
    let started = state.commands.start_session(&ctx, user_id, tenant_id, state.session_ttl).await?;
    let settled = settle(state, &[started.session_id.as_uuid()], started.position).await;
    Ok(Session { started, settled })
}

/// The tenant a sign-in lands in: the one the user joined first.
async fn first_tenant(state: &AppState, user_id: UserId) -> Result<Option<TenantId>, ApiError> {
    let tenant: Option<Uuid> =
        sqlx::query_scalar("SELECT tenant_id FROM memberships WHERE user_id = $1 ORDER BY added_at, tenant_id LIMIT 1")
            .bind(user_id.as_uuid())
            .fetch_optional(&state.pool)
            .await?;
    Ok(tenant.map(TenantId::new))
}

#[derive(sqlx::FromRow)]
struct MeRow {
    email: Option<String>,
    user_name: Option<String>,
    tenant_name: String,
    plan: String,
    project_count: i64,
    member_count: i64,
    created_at: OffsetDateTime,
    role: String,
}

async fn me_of(state: &AppState, user_id: UserId, tenant_id: TenantId) -> Result<Option<Me>, ApiError> {
    let row: Option<MeRow> = sqlx::query_as(
        "SELECT u.email, u.name AS user_name, t.name AS tenant_name, t.plan, t.project_count, t.member_count,
                t.created_at, m.role
           FROM memberships m
           JOIN users u ON u.user_id = m.user_id
           JOIN tenants t ON t.tenant_id = m.tenant_id
          WHERE m.user_id = $1 AND m.tenant_id = $2",
    )
    .bind(user_id.as_uuid())
    .bind(tenant_id.as_uuid())
    .fetch_optional(&state.pool)
    .await?;
    Ok(row.map(|r| Me {
        user: MeUser {
            id: user_id.as_uuid(),
            // Erased users cannot sign in; these stay empty rather than failing the page.
            email: r.email.unwrap_or_default(),
            name: r.user_name.unwrap_or_default(),
        },
        tenant: MeTenant {
            id: tenant_id.as_uuid(),
            name: r.tenant_name,
            plan: r.plan,
            project_count: u64::try_from(r.project_count).unwrap_or(0),
            member_count: u64::try_from(r.member_count).unwrap_or(0),
            created_at: r.created_at,
        },
        role: r.role,
    }))
}

fn set_cookies(headers: &mut HeaderMap, cookies: [String; 2]) {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}
