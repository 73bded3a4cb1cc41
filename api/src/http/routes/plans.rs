//! `GET /v1/plans`: the plans on offer, from the domain's one table of limits.

use api_types::{PlanInfo, PlanLimitsInfo, PlanList};
use domain::Plan;

/// Display prices: billing (Stripe) owns the real amounts; these are the pricing table's.
fn price(plan: Plan) -> &'static str {
    match plan {
        Plan::Free => "$0",
        Plan::Starter => "$99/mo",
        Plan::Pro => "$499/mo",
        Plan::Enterprise => "$2K+/mo",
    }
}

fn display_name(plan: Plan) -> &'static str {
    match plan {
        Plan::Free => "Free",
        Plan::Starter => "Starter",
        Plan::Pro => "Pro",
        Plan::Enterprise => "Enterprise",
    }
}

pub fn info(plan: Plan) -> PlanInfo {
    let limits = plan.limits();
    PlanInfo {
        plan: plan.to_string(),
        name: display_name(plan).to_owned(),
        price: price(plan).to_owned(),
        limits: PlanLimitsInfo {
            documents: limits.documents.cap(),
            pages: limits.pages.cap(),
            retrievals_per_month: limits.retrievals_per_month.cap(),
            projects: limits.projects.cap(),
            users: limits.users.cap(),
        },
    }
}

/// The four plans and their limits.
#[utoipa::path(get, path = "/v1/plans", tag = "plans",
    responses((status = 200, description = "The plans, cheapest first", body = PlanList)))]
pub async fn list() -> axum::Json<PlanList> {
    axum::Json(PlanList { plans: Plan::ALL.into_iter().map(info).collect() })
}
