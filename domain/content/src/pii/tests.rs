//! The public behaviour of `detect` and `screen`, as the ingestion pipeline relies on it.

use std::collections::BTreeMap;

use domain::{PiiKind, PiiPolicy};

use super::*;

fn found(text: &str) -> Vec<(PiiKind, &str)> {
    detect(text).into_iter().map(|finding| (finding.kind, &text[finding.range])).collect()
}

#[test]
fn redaction_replaces_each_finding_with_its_marker() {
    let screened = screen("mail ada@example.com now", PiiPolicy::Redact, &AllowList::default());
    assert_eq!(screened.text, "mail [EMAIL] now");
    assert_eq!(screened.counts, BTreeMap::from([(PiiKind::Email, 1)]));

    let text = "card 4111 1111 1111 1111, call +44 20 7946 0958 or 198.51.100.7";
    let screened = screen(text, PiiPolicy::Redact, &AllowList::default());
    assert_eq!(screened.text, "card [CARD], call [PHONE] or [IP]");
}

#[test]
fn luhn_failures_are_not_cards() {
    assert_eq!(found("card 4111 1111 1111 1112"), vec![]);
    assert_eq!(found("card 4111 1111 1111 1111"), vec![(PiiKind::PaymentCard, "4111 1111 1111 1111")]);
}

#[test]
fn a_card_sized_slice_of_a_longer_digit_run_is_not_a_card() {
    assert_eq!(found("ref 41111111111111110000"), vec![]);
    assert_eq!(found("0x4111111111111111"), vec![]);
    assert_eq!(found("IMEI 490154203237518"), vec![]);
}

#[test]
fn iban_checksum_decides() {
    assert_eq!(found("IBAN DE89 3704 0044 0532 0130 00"), vec![(PiiKind::Iban, "DE89 3704 0044 0532 0130 00")]);
    assert_eq!(found("IBAN DE89 3704 0044 0532 0130 01"), vec![]);
}

#[test]
fn allow_listed_values_are_neither_redacted_nor_counted() {
    let allow = AllowList::new(["  Support@Example.com ", "", "+1 800 555 0199"]);
    assert!(allow.allows("support@example.com"));
    assert!(!allow.allows(""));
    let text = "write support@example.com or ada@example.com, call +1 800 555 0199";
    let screened = screen(text, PiiPolicy::Redact, &allow);
    assert_eq!(screened.text, "write support@example.com or [EMAIL], call +1 800 555 0199");
    assert_eq!(screened.counts, BTreeMap::from([(PiiKind::Email, 1)]));
}

#[test]
fn flag_counts_but_leaves_the_text_alone() {
    let text = "ada@example.com, bob@example.com, SSN 219-09-9999";
    let screened = screen(text, PiiPolicy::Flag, &AllowList::default());
    assert_eq!(screened.text, text);
    assert_eq!(screened.counts, BTreeMap::from([(PiiKind::Email, 2), (PiiKind::UsSsn, 1)]));
}

#[test]
fn off_finds_nothing() {
    let text = "ada@example.com 4111 1111 1111 1111";
    let screened = screen(text, PiiPolicy::Off, &AllowList::default());
    assert_eq!(screened, Screened { text: text.to_owned(), counts: BTreeMap::new() });
}

#[test]
fn ranges_fall_on_char_boundaries_in_multibyte_text() {
    let text = "Grüße – écrivez à zoë.müller@example.de ou zoe@example.de, 📞 +33 6 12 34 56 78 ✅ 東京 2001:db8::1";
    let findings = detect(text);
    for finding in &findings {
        assert!(text.is_char_boundary(finding.range.start) && text.is_char_boundary(finding.range.end));
    }
    let values: Vec<_> = findings.iter().map(|finding| &text[finding.range.clone()]).collect();
    assert_eq!(values, ["zoë.müller@example.de", "zoe@example.de", "+33 6 12 34 56 78", "2001:db8::1"]);
    let screened = screen(text, PiiPolicy::Redact, &AllowList::default());
    assert_eq!(screened.text, "Grüße – écrivez à [EMAIL] ou [EMAIL], 📞 [PHONE] ✅ 東京 [IP]");
}

#[test]
fn an_address_written_straight_after_other_scripts_starts_at_the_address() {
    assert_eq!(found("メールtanaka@example.co.jpまで"), vec![(PiiKind::Email, "tanaka@example.co.jp")]);
    assert_eq!(found("icon@2x.png git@github.com:org/repo.git @handle"), vec![]);
}

#[test]
fn findings_are_sorted_and_never_overlap() {
    let text = "x +1 (415) 555-0132 y 415.555.0132 z 10.0.0.1 w a@b.io";
    let findings = detect(text);
    assert_eq!(findings.len(), 4);
    assert!(findings.windows(2).all(|pair| pair[0].range.end <= pair[1].range.start));
    assert_eq!(found(text)[0], (PiiKind::Phone, "+1 (415) 555-0132"));
}

#[test]
fn versions_dates_and_uuids_are_not_personal_data() {
    for text in
        ["v1.2.3 and 10.0.1", "2024-03-15 14:32", "123e4567-e89b-12d3-a456-426614174000", "ISBN 978-3-16-148410-0"]
    {
        assert_eq!(found(text), vec![], "{text}");
    }
}
