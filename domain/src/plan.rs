//! Plans and what each one allows. The table lives here and only here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The subscription tier of a tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    #[default]
    Free,
    Starter,
    Pro,
    Enterprise,
}

/// A cap on one resource. "Fair use" is `Unlimited` here: it is policed by humans, not code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    AtMost(u64),
    Unlimited,
}

impl Limit {
    /// Whether one more can be added when `current` already exist.
    pub fn allows(&self, current: u64) -> bool {
        match self {
            Self::AtMost(max) => current < *max,
            Self::Unlimited => true,
        }
    }

    /// Whether `count` existing ones stay within the limit (used when changing plans).
    pub fn fits(&self, count: u64) -> bool {
        match self {
            Self::AtMost(max) => count <= *max,
            Self::Unlimited => true,
        }
    }

    /// The cap, or `None` when there is none.
    pub fn cap(&self) -> Option<u64> {
        match self {
            Self::AtMost(max) => Some(*max),
            Self::Unlimited => None,
        }
    }
}

/// Everything a plan caps. Documents and pages are totals; retrievals reset monthly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLimits {
    pub documents: Limit,
    pub pages: Limit,
    pub retrievals_per_month: Limit,
    pub projects: Limit,
    pub users: Limit,
}

use Limit::{AtMost, Unlimited};

impl Plan {
    /// Every plan, cheapest first.
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Starter, Plan::Pro, Plan::Enterprise];

    /// The caps of this plan. A "-" in the pricing table (not capped by the plan) is `Unlimited`.
    pub const fn limits(&self) -> PlanLimits {
        match self {
            Self::Free => PlanLimits {
                documents: AtMost(1_000),
                pages: AtMost(10_000),
                retrievals_per_month: AtMost(5_000),
                projects: AtMost(1),
                users: AtMost(1),
            },
            Self::Starter => PlanLimits {
                documents: Unlimited,
                pages: AtMost(25_000),
                retrievals_per_month: AtMost(50_000),
                projects: AtMost(3),
                users: AtMost(3),
            },
            Self::Pro => PlanLimits {
                documents: Unlimited,
                pages: AtMost(100_000),
                retrievals_per_month: Unlimited,
                projects: Unlimited,
                users: AtMost(10),
            },
            Self::Enterprise => PlanLimits {
                documents: Unlimited,
                pages: Unlimited,
                retrievals_per_month: Unlimited,
                projects: Unlimited,
                users: Unlimited,
            },
        }
    }

    /// The list price per month in US cents; for Enterprise the "from" price.
    pub const fn monthly_price_cents(&self) -> u64 {
        match self {
            Self::Free => 0,
            Self::Starter => 9_900,
            Self::Pro => 49_900,
            Self::Enterprise => 200_000,
        }
    }

    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Pro => "pro",
            Self::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Plan {
    type Err = ValidationError;

    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Self::ALL.into_iter().find(|plan| plan.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            ValidationError::NotOneOf { field: "plan", value: s.to_owned(), expected: "free, starter, pro, enterprise" }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pricing table, column by column: documents, pages, retrievals/mo, projects, users.
    fn row(plan: Plan) -> [Limit; 5] {
        let l = plan.limits();
        [l.documents, l.pages, l.retrievals_per_month, l.projects, l.users]
    }

    #[test]
    fn free_plan_caps_everything_small() {
        let expected = [AtMost(1_000), AtMost(10_000), AtMost(5_000), AtMost(1), AtMost(1)];
        assert_eq!(row(Plan::Free), expected);
    }

    #[test]
    fn starter_plan_leaves_documents_uncapped() {
        let expected = [Unlimited, AtMost(25_000), AtMost(50_000), AtMost(3), AtMost(3)];
        assert_eq!(row(Plan::Starter), expected);
    }

    #[test]
    fn pro_plan_has_fair_use_retrievals_and_unlimited_projects() {
        let expected = [Unlimited, AtMost(100_000), Unlimited, Unlimited, AtMost(10)];
        assert_eq!(row(Plan::Pro), expected);
    }

    #[test]
    fn enterprise_plan_caps_nothing() {
        assert_eq!(row(Plan::Enterprise), [Unlimited; 5]);
    }

    #[test]
    fn prices_are_in_cents() {
        let prices: Vec<u64> = Plan::ALL.iter().map(Plan::monthly_price_cents).collect();
        assert_eq!(prices, [0, 9_900, 49_900, 200_000]);
    }

    #[test]
    fn limit_allows_one_more_only_below_the_cap() {
        assert!(AtMost(1).allows(0));
        assert!(!AtMost(1).allows(1));
        assert!(Unlimited.allows(u64::MAX));
        assert!(AtMost(3).fits(3));
        assert!(!AtMost(3).fits(4));
    }

    #[test]
    fn plan_parses_case_insensitively_and_displays_lowercase() {
        assert_eq!("PRO".parse(), Ok(Plan::Pro));
        assert_eq!(" Enterprise ".parse(), Ok(Plan::Enterprise));
        for plan in Plan::ALL {
            assert_eq!(plan.to_string().parse(), Ok(plan));
        }
    }

    #[test]
    fn unknown_plan_error_lists_the_four_plans() {
        let err = "gold".parse::<Plan>().unwrap_err();
        assert_eq!(err.to_string(), "plan: \"gold\" is not one of free, starter, pro, enterprise");
    }

    #[test]
    fn plan_serializes_lowercase() {
        assert_eq!(serde_json::to_string(&Plan::Starter).unwrap(), "\"starter\"");
        assert_eq!(serde_json::from_str::<Plan>("\"enterprise\"").unwrap(), Plan::Enterprise);
    }
}
