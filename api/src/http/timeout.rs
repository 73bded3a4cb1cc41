//! A request that takes longer than the configured limit is answered with a 503 problem, so
//! that a stuck database shows up as errors clients can retry rather than hanging connections.

use std::time::Duration;

use api_types::ProblemType;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;

pub async fn limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "request timed out");
            ApiError::new(
                ProblemType::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the request took longer than {} s; retry later", limit.as_secs_f64()),
            )
            .into_response()
        }
    }
}
