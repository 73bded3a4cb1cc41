//! The `/v1` handlers, one file per resource. Each handler carries its OpenAPI description.

pub mod api_keys;
pub mod auth;
pub mod documents;
pub mod embeddings;
pub mod plans;
pub mod projects;
pub mod retrieve;
pub mod settings;
pub mod usage;

use api_types::POSITION_HEADER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use eventstore::Position;
use serde::Serialize;

/// A write's answer: the body, with the position also in the `X-Ctxi-Position` header.
pub fn written(status: StatusCode, position: Position, body: impl Serialize) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
        response.headers_mut().insert(POSITION_HEADER, value);
    }
    response
}
