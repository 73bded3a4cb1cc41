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

use crate::http::consistency::{Settled, PENDING_HEADER};

/// A write's answer: the body, with the position also in the `X-Ctxi-Position` header. A write
/// the read models do not include yet answers 202 instead, with `X-Ctxi-Pending`.
pub fn written(status: StatusCode, settled: Settled, body: impl Serialize) -> Response {
    let status = if settled.visible { status } else { StatusCode::ACCEPTED };
    let mut response = positioned(status, settled.position, body);
    if !settled.visible {
        if let Ok(value) = HeaderValue::from_str(&settled.position.to_string()) {
            response.headers_mut().insert(PENDING_HEADER, value);
        }
    }
    response
}

/// An answer with the position of the event the request appended in `X-Ctxi-Position`.
pub fn positioned(status: StatusCode, position: Position, body: impl Serialize) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
        response.headers_mut().insert(POSITION_HEADER, value);
    }
    response
}
