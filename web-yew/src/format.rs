//! How numbers, plans and dates read on the page.

use api_types::PlanLimitsInfo;
use time::OffsetDateTime;

/// A plan cap for people: thousands separated, `None` (not capped) as "Unlimited".
pub fn cap(limit: Option<u64>) -> String {
    let Some(n) = limit else { return "Unlimited".to_owned() };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plan's limits as (label, value) rows, in the order the signup cards show them.
pub fn limit_rows(limits: &PlanLimitsInfo) -> [(&'static str, String); 5] {
    [
        ("Projects", cap(limits.projects)),
        ("Users", cap(limits.users)),
        ("Documents", cap(limits.documents)),
        ("Pages", cap(limits.pages)),
        ("Retrievals / month", cap(limits.retrievals_per_month)),
    ]
}

/// A plan id (`pro`) as a display name (`Pro`), for places that only have the id.
pub fn plan_name(plan: &str) -> String {
    let mut chars = plan.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a key is told apart in lists: its public prefix, e.g. `ctxi_ab12cd_…`. Accepts the prefix
/// with or without the `ctxi_` start.
pub fn key_hint(prefix: &str) -> String {
    match prefix.strip_prefix("ctxi_") {
        Some(rest) => format!("ctxi_{rest}_…"),
        None => format!("ctxi_{prefix}_…"),
    }
}

/// A timestamp as its UTC day, e.g. `2026-11-28`.
pub fn day(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC).date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_group_thousands_and_null_is_unlimited() {
        assert_eq!(cap(None), "Unlimited");
        assert_eq!(cap(Some(0)), "0");
        assert_eq!(cap(Some(999)), "999");
        assert_eq!(cap(Some(1000)), "1,000");
        assert_eq!(cap(Some(25_000)), "25,000");
        assert_eq!(cap(Some(1_000_000)), "1,000,000");
    }

    #[test]
    fn limit_rows_follow_the_card_order() {
        let limits = PlanLimitsInfo {
            documents: Some(100),
            pages: Some(1000),
            retrievals_per_month: None,
            projects: Some(1),
            users: None,
        };
        let rows = limit_rows(&limits);
        assert_eq!(rows[0], ("Projects", "1".to_owned()));
        assert_eq!(rows[1], ("Users", "Unlimited".to_owned()));
        assert_eq!(rows[3], ("Pages", "1,000".to_owned()));
        assert_eq!(rows[4], ("Retrievals / month", "Unlimited".to_owned()));
    }

    #[test]
    fn plan_names_are_capitalised() {
        assert_eq!(plan_name("enterprise"), "Enterprise");
        assert_eq!(plan_name(""), "");
    }

    #[test]
    fn key_hints_have_one_ctxi_start() {
        assert_eq!(key_hint("ab12cd"), "ctxi_ab12cd_…");
        assert_eq!(key_hint("ctxi_ab12cd"), "ctxi_ab12cd_…");
    }

    #[test]
    fn days_are_utc() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_000_000)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(14, 0, 0).unwrap());
        assert_eq!(day(at), "2026-11-18");
    }
}
