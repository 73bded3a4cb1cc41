//! Counting and timing HTTP requests.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::Metrics;

/// The `route` label of requests no route matched (404s, scans for `/wp-admin`, ...).
const UNMATCHED: &str = "unmatched";

/// Middleware for `axum::middleware::from_fn_with_state` that counts and times each request,
/// labelled by its route template (`/v1/projects/{id}`), never the raw path, which would
/// make a series per id. Add it with `Router::layer` after the routes, so that it also sees
/// requests no route matched. The time runs until the response headers are ready.
pub async fn track_requests(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_owned();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record_request(route, method, response.status().as_u16(), started.elapsed());
    response
}

/// Clients may send any method name: all but the standard ones share one label.
fn method_label(method: &Method) -> String {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if STANDARD.contains(method) { method.as_str() } else { "OTHER" }.to_owned()
}
