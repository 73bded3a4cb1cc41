//! The HTTP server: the `/v1` API, its OpenAPI document and docs page, health checks,
//! metrics, and the dashboard's files.

mod auth;
mod body;
mod consistency;
mod context;
mod openapi;
mod problem;
mod request_id;
mod routes;
mod security_headers;
mod timeout;
mod web;

use std::path::Path;
use std::sync::Arc;

use api_types::ProblemType;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use commands::Commands;
use eventstore::PostgresStore;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::sync::watch;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::Csrf;
pub use problem::ApiError;

use crate::metrics::{MeteredStore, Metrics};

/// The event store as the server uses it: counted for `/metrics`.
pub type Store = MeteredStore<PostgresStore>;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    pub commands: Commands<Store>,
    /// The application role's pool, for the read models.
    pub pool: PgPool,
    /// How far the read models are: writes wait on it before they answer.
    pub frontier: projections::Frontier,
    /// How long a write waits for the read models, and a read for its caller's earlier writes.
    pub consistency_wait: std::time::Duration,
    pub csrf: Csrf,
    pub session_ttl: time::Duration,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Whether the projector runner is still running.
    pub projecting: watch::Receiver<bool>,
    pub metrics: Metrics,
    /// Longest a request may take before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// Meters served retrievals durably (group commit).
    pub meter: crate::metering::Meter,
    pub cache: crate::retrieval::ResultCache,
    pub vectors: crate::retrieval::VectorIndex,
    pub words: crate::retrieval::WordIndex,
}

/// The whole HTTP application.
pub fn app(state: Arc<AppState>, web_dir: &Path) -> Router {
    let (api, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(routes::plans::list))
        .routes(routes!(routes::auth::signup))
        .routes(routes!(routes::auth::login))
        .routes(routes!(routes::auth::logout))
        .routes(routes!(routes::auth::me))
        .routes(routes!(routes::usage::get))
        .routes(routes!(routes::projects::list, routes::projects::create))
        .routes(routes!(routes::projects::get))
        .routes(routes!(routes::api_keys::list, routes::api_keys::create))
        .routes(routes!(routes::api_keys::revoke))
        .routes(routes!(routes::settings::get, routes::settings::put))
        .routes(routes!(routes::documents::get, routes::documents::erase))
        .routes(routes!(routes::retrieve::retrieve))
        .routes(routes!(routes::embeddings::chunks))
        .routes(routes!(routes::embeddings::rejections))
        .merge(embeddings())
        .merge(uploads())
        .split_for_parts();
    let document = Arc::new(doc.to_json().unwrap_or_default());
    let docs = Arc::new(openapi::docs_page(&doc));
    Router::new()
        .merge(api)
        .route(
            "/v1/openapi.json",
            get(move || {
                let document = Arc::clone(&document);
                async move { ([(header::CONTENT_TYPE, "application/json")], (*document).clone()) }
            }),
        )
        .route("/v1/docs", get(move || async move { Html((*docs).clone()) }))
        .route("/v1/{*rest}", axum::routing::any(|| async { ApiError::not_found("route") }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ProblemType::MethodNotAllowed,
                StatusCode::METHOD_NOT_ALLOWED,
                "this path does not take that method",
            )
        })
        .fallback_service(web::dashboard(web_dir))
        .layer(axum::middleware::from_fn_with_state(state.request_timeout, timeout::limit))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track_requests))
        .layer(axum::middleware::from_fn(security_headers::add))
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// Submitting embeddings: a document's vectors can exceed the default body limit.
fn embeddings() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(routes::embeddings::submit))
        .layer(axum::extract::DefaultBodyLimit::max(routes::documents::MAX_UPLOAD_BODY))
}

/// The upload route, alone allowed bodies the size of the largest document.
fn uploads() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(routes::documents::list, routes::documents::upload))
        .layer(axum::extract::DefaultBodyLimit::max(routes::documents::MAX_UPLOAD_BODY))
}

/// Ready when the database answers and the projectors run.
async fn ready(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let database = sqlx::query("SELECT 1").execute(&state.pool).await.is_ok();
    let projectors = *state.projecting.borrow();
    let status = if database && projectors { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "database": database, "projectors": projectors })))
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    match state.metrics.render(&state.pool, state.commands.store().inner()).await {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(e) => ApiError::internal(e.as_ref()).into_response(),
    }
}
