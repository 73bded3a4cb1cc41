//! How numbers, plans and dates read on the page.

use std::collections::BTreeMap;

use api_types::{Allowance, PlanLimitsInfo};
use time::OffsetDateTime;

/// A plan cap for people: thousands separated, `None` (not capped) as "Unlimited".
pub fn cap(limit: Option<u64>) -> String {
    match limit {
        Some(n) => thousands(n),
        None => "Unlimited".to_owned(),
    }
}

/// A count with thousands separated: `5,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

/// Use against a cap, as the header shows it: `12 / 5,000`, or `12 / unlimited`.
pub fn allowance(allowance: &Allowance) -> String {
    let limit = allowance.limit.map_or_else(|| "unlimited".to_owned(), thousands);
    format!("{} / {limit}", thousands(allowance.used))
}

/// The personal data found in a document, by kind: `email 1 · payment_card 1`; empty when none.
pub fn pii_counts(pii: &BTreeMap<String, u32>) -> String {
    pii.iter().filter(|(_, n)| **n > 0).map(|(kind, n)| format!("{kind} {n}")).collect::<Vec<_>>().join(" · ")
}

/// A count and its noun, singular for one: `1 page`, `3 chunks`.
pub fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(u64::from(n)))
    }
}

/// A relevance score: three decimals, enough to tell neighbours apart.
pub fn score(score: f64) -> String {
    format!("{score:.3}")
}

/// A duration in milliseconds, whole: `12 ms`. Under half a millisecond reads `0 ms`.
pub fn millis(ms: f64) -> String {
    format!("{:.0} ms", ms.max(0.0))
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
    fn allowances_read_used_over_limit() {
        assert_eq!(allowance(&Allowance { used: 12, limit: Some(5_000) }), "12 / 5,000");
        assert_eq!(allowance(&Allowance { used: 1_234, limit: None }), "1,234 / unlimited");
    }

    #[test]
    fn pii_counts_list_each_kind_found() {
        let pii = BTreeMap::from([("payment_card".to_owned(), 1), ("email".to_owned(), 2), ("iban".to_owned(), 0)]);
        assert_eq!(pii_counts(&pii), "email 2 · payment_card 1");
        assert_eq!(pii_counts(&BTreeMap::new()), "");
    }

    #[test]
    fn counts_use_the_singular_for_one() {
        assert_eq!(count(1, "page"), "1 page");
        assert_eq!(count(0, "chunk"), "0 chunks");
        assert_eq!(count(1_200, "page"), "1,200 pages");
    }

    #[test]
    fn scores_and_latencies_are_rounded() {
        assert_eq!(score(0.123_456), "0.123");
        assert_eq!(score(1.0), "1.000");
        assert_eq!(millis(12.4), "12 ms");
        assert_eq!(millis(0.2), "0 ms");
        assert_eq!(millis(-1.0), "0 ms");
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
