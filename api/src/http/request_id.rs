//! Every request gets an id: the client's `X-Request-Id` when it is a UUID, a fresh UUIDv7
//! otherwise. It is echoed in the response, names the request's tracing span (so every log
//! line of the request carries it), becomes the correlation id of the events the request
//! appends, and is the `instance` of any problem answered.

use api_types::REQUEST_ID_HEADER;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use uuid::Uuid;

tokio::task_local! {
    static REQUEST_ID: Uuid;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<Uuid> {
    REQUEST_ID.try_with(|id| *id).ok()
}

pub async fn assign(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v).ok())
        .unwrap_or_else(Uuid::now_v7);
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let started = std::time::Instant::now();
    let mut response = REQUEST_ID
        .scope(id, async move {
            let response = next.run(request).await;
            let status = response.status().as_u16();
            tracing::info!(status, elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "answered");
            response
        })
        .instrument(span)
        .await;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}
