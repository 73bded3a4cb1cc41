//! The dashboard: the built Yew app's files, with `index.html` for every other path so that
//! the app's own routes (`/projects/…`) load it too.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, MethodRouter};
use tower_http::services::{ServeDir, ServeFile};

/// Serves `dir`, or, when the dashboard has not been built, a page that says how to build it.
pub fn dashboard(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if index.is_file() {
        axum::routing::get_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(dir = %dir.display(), "the dashboard is not built; `bash scripts/build-web.sh` builds it");
        get(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><title>ContextInject</title><p>The dashboard has not been built. Run <code>bash scripts/build-web.sh</code>, or point <code>CTXI_WEB_DIR</code> at a built dashboard. The API is at <a href=\"/v1/docs\">/v1/docs</a>.</p>"),
            )
        })
    }
}
