//! Finds personal data in document text and applies a project's [`PiiPolicy`] before indexing.
//!
//! Detection is pattern-based and pure: one regex per shape, compiled once, then a validator that
//! rejects what only looks like personal data (Luhn for cards, ISO 13616 mod-97 for IBANs, issued
//! ranges for SSNs, a real address parse for IPs, layout and context rules for phones).
//! Candidates from all detectors are merged so that findings never overlap: the longer one wins,
//! and on equal length the more specific kind (an IBAN over a phone, say).

use std::collections::BTreeMap;
use std::ops::Range;

use domain::{PiiKind, PiiPolicy};

mod card;
mod email;
mod iban;
mod ip;
mod phone;
mod ssn;
mod text;

#[cfg(test)]
mod tests;

/// One piece of personal data found in a text: byte range into that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: PiiKind,
    pub range: Range<usize>,
}

/// Every finding, sorted by start, never overlapping (when two candidates overlap, the longer one
/// is kept; on equal length, the more specific kind).
pub fn detect(text: &str) -> Vec<Finding> {
    let mut candidates = Vec::new();
    email::find(text, &mut candidates);
    iban::find(text, &mut candidates);
    card::find(text, &mut candidates);
    ssn::find(text, &mut candidates);
    ip::find(text, &mut candidates);
    phone::find(text, &mut candidates);
    without_overlaps(candidates)
}

/// Lower is more specific: a shape with a checksum or an `@` beats one that is only digits.
fn specificity(kind: PiiKind) -> u8 {
    match kind {
        PiiKind::Email => 0,
        PiiKind::Iban => 1,
        PiiKind::PaymentCard => 2,
        PiiKind::UsSsn => 3,
        PiiKind::IpAddress => 4,
        PiiKind::Phone => 5,
    }
}

/// Keeps the best candidates greedily (longest, then most specific), dropping any that overlap
/// one already kept; `kept` maps start to end of disjoint ranges, so one look-up finds a clash.
fn without_overlaps(mut candidates: Vec<Finding>) -> Vec<Finding> {
    candidates.sort_by(|a, b| {
        b.range
            .len()
            .cmp(&a.range.len())
            .then(specificity(a.kind).cmp(&specificity(b.kind)))
            .then(a.range.start.cmp(&b.range.start))
    });
    let mut kept: BTreeMap<usize, usize> = BTreeMap::new();
    let mut findings = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let Range { start, end } = candidate.range;
        let clashes = kept.range(..end).next_back().is_some_and(|(_, &kept_end)| kept_end > start);
        if !clashes {
            kept.insert(start, end);
            findings.push(candidate);
        }
    }
    findings.sort_by_key(|finding| finding.range.start);
    findings
}

/// Terms a project says are never personal data (e.g. its support address or a public phone number).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    /// Trimmed and lowercased, so a look-up is one comparison per term.
    terms: Vec<String>,
}

impl AllowList {
    /// Terms compare case-insensitively against the whole matched value, after trimming; empty
    /// terms are ignored.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(terms: I) -> Self {
        let mut terms: Vec<String> =
            terms.into_iter().map(|term| term.as_ref().trim().to_lowercase()).filter(|term| !term.is_empty()).collect();
        terms.sort();
        terms.dedup();
        Self { terms }
    }

    pub fn allows(&self, value: &str) -> bool {
        if self.terms.is_empty() {
            return false;
        }
        let value = value.trim().to_lowercase();
        self.terms.binary_search(&value).is_ok()
    }
}

/// The text to index and what was found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    pub text: String,
    pub counts: BTreeMap<PiiKind, u32>,
}

/// Applies a project's policy: `Redact` replaces each finding (not allow-listed) with
/// `kind.redaction_marker()` and counts it; `Flag` leaves text unchanged but counts; `Off`
/// returns the text unchanged with empty counts (and does not even scan).
/// Allow-listed findings are neither redacted nor counted.
pub fn screen(text: &str, policy: PiiPolicy, allow: &AllowList) -> Screened {
    let mut counts = BTreeMap::new();
    if policy == PiiPolicy::Off {
        return Screened { text: text.to_owned(), counts };
    }
    let mut redacted = String::with_capacity(if policy == PiiPolicy::Redact { text.len() } else { 0 });
    let mut copied_up_to = 0;
    for finding in detect(text) {
        let range = finding.range;
        if allow.allows(&text[range.clone()]) {
            continue;
        }
        *counts.entry(finding.kind).or_insert(0) += 1;
        if policy == PiiPolicy::Redact {
            redacted.push_str(&text[copied_up_to..range.start]);
            redacted.push_str(finding.kind.redaction_marker());
            copied_up_to = range.end;
        }
    }
    let text = match policy {
        PiiPolicy::Redact => {
            redacted.push_str(&text[copied_up_to..]);
            redacted
        }
        PiiPolicy::Flag | PiiPolicy::Off => text.to_owned(),
    };
    Screened { text, counts }
}
