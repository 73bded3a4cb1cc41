//! This month's usage of the plan's allowances.

use std::sync::Arc;

use api_types::{Allowance, Problem, Usage};
use axum::extract::State;
use domain::{Plan, UsageMonth};
use time::OffsetDateTime;

use crate::http::auth::SignedIn;
use crate::http::consistency::{reach_head, Consistent};
use crate::http::problem::ApiError;
use crate::http::AppState;

/// Retrievals this month, and documents and pages held, against the plan's limits: exact as of
/// the request, since the read models are first brought up to the head of the log (retrievals
/// are counted in it as they are answered, without waiting for the read models).
#[utoipa::path(get, path = "/v1/usage", tag = "auth",
    params(("X-Ctxi-Consistency" = Option<String>, Header, description = "Wait for this position first")),
    responses((status = 200, body = Usage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")),
    security(("session" = [])))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _: Consistent,
) -> Result<axum::Json<Usage>, ApiError> {
    reach_head(&state).await?;
    let month = UsageMonth::of(OffsetDateTime::now_utc());
    let (plan, documents, pages, retrievals): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT t.plan, coalesce(d.documents, 0), coalesce(d.pages, 0), coalesce(r.total, 0)
           FROM tenants t
           LEFT JOIN usage_documents d USING (tenant_id)
           LEFT JOIN usage_retrievals r ON r.tenant_id = t.tenant_id AND r.month = $2
          WHERE t.tenant_id = $1",
    )
    .bind(signed_in.tenant_id.as_uuid())
    .bind(month.to_string())
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(|| ApiError::not_found("tenant"))?;
    let limits = plan.parse::<Plan>().map_err(|e| ApiError::internal(&e))?.limits();
    let used = |n: i64| u64::try_from(n).unwrap_or_default();
    Ok(axum::Json(Usage {
        plan,
        retrievals: Allowance { used: used(retrievals), limit: limits.retrievals_per_month.cap() },
        documents: Allowance { used: used(documents), limit: limits.documents.cap() },
        pages: Allowance { used: used(pages), limit: limits.pages.cap() },
        resets_at: month.resets_at(),
    }))
}
