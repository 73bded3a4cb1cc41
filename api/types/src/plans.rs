//! `GET /v1/plans`: the four plans and what each allows, for the signup page.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanList {
    pub plans: Vec<PlanInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInfo {
    /// The value to send as `plan` when signing up: `free`, `starter`, `pro`, `enterprise`.
    pub plan: String,
    /// Display name, e.g. "Starter".
    pub name: String,
    /// Display price, e.g. "$99/mo".
    pub price: String,
    pub limits: PlanLimitsInfo,
}

/// Caps; `null` means not capped by the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanLimitsInfo {
    pub documents: Option<u64>,
    pub pages: Option<u64>,
    pub retrievals_per_month: Option<u64>,
    pub projects: Option<u64>,
    pub users: Option<u64>,
}
