//! The tenant's use of its plan this month.

use api_types::Usage;

use super::{read, receive, ApiResult};

/// Exact as of the request: the server brings its read models up to the log's head first.
pub async fn usage() -> ApiResult<Usage> {
    receive(read("/v1/usage").build()).await
}
