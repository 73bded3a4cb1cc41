//! Read-your-writes: a read carrying `X-Ctxi-Consistency: <position>` (the position a write
//! answered with) waits until every read model has projected that position.

use std::sync::Arc;
use std::time::Duration;

use api_types::{ProblemType, CONSISTENCY_HEADER};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use eventstore::Position;
use projections::ProjectionError;

use super::problem::ApiError;
use super::AppState;

/// How long a read waits for the read models before answering 503 instead.
const WAIT: Duration = Duration::from_secs(5);

/// Extracting this waits for the position the request asks for, if any.
#[derive(Debug, Clone, Copy)]
pub struct Consistent;

impl FromRequestParts<Arc<AppState>> for Consistent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(CONSISTENCY_HEADER) else {
            return Ok(Consistent);
        };
        let position = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<Position>().ok())
            .ok_or_else(|| ApiError::invalid(CONSISTENCY_HEADER, "must be a position a write answered with"))?;
        wait_for_all(state, position).await?;
        Ok(Consistent)
    }
}

/// Waits until every projector has reached `position`.
pub async fn wait_for_all(state: &AppState, position: Position) -> Result<(), ApiError> {
    for name in projections::read_models::NAMES {
        wait_for(state, name, position).await?;
    }
    Ok(())
}

/// Waits until projector `name` has reached `position`.
pub async fn wait_for(state: &AppState, name: &str, position: Position) -> Result<(), ApiError> {
    match projections::wait_for(&state.pool, name, position, WAIT).await {
        Ok(()) => Ok(()),
        Err(ProjectionError::Timeout { .. }) => Err(ApiError::new(
            ProblemType::ConsistencyTimeout,
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the read models have not caught up with position {position} yet; retry shortly"),
        )),
        Err(e) => Err(ApiError::internal(&e)),
    }
}
