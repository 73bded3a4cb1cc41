//! `GET /v1/usage`: this month's use of the plan's allowances, for the dashboard's header.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How much of one allowance is used; `limit` is `null` when the plan does not cap it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allowance {
    pub used: u64,
    pub limit: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    /// `free`, `starter`, `pro` or `enterprise`.
    pub plan: String,
    /// Retrievals served this calendar month (UTC).
    pub retrievals: Allowance,
    /// Documents and pages held now, across all projects.
    pub documents: Allowance,
    pub pages: Allowance,
    /// When the monthly retrieval allowance starts afresh (the first of next month, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub resets_at: OffsetDateTime,
}
