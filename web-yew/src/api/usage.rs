//! The tenant's use of its plan this month.

use api_types::Usage;

use super::{read, receive, ApiResult};

pub async fn usage(consistency: Option<&str>) -> ApiResult<Usage> {
    receive(read("/v1/usage", consistency).build()).await
}
