//! Measures prompt-injection screening on a labelled corpus and holds it to its targets.
//!
//! `cargo test -p content --test injection_corpus -- --nocapture` prints the rates and every
//! miss and false positive. The corpus (tests/data/injection_corpus.jsonl) was labelled before
//! the detector was measured on it; a label lists every attack kind the text carries, and a text
//! that quotes an operative attack phrase carries it (see the `injection` module documentation).

use std::collections::{BTreeMap, BTreeSet};

use content::injection::{screen, Attack};

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    attacks: BTreeSet<Attack>,
}

fn load(jsonl: &str) -> Vec<Case> {
    jsonl
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("bad corpus line {line}: {e}")))
        .collect()
}

fn corpus() -> Vec<Case> {
    load(include_str!("data/injection_corpus.jsonl"))
}

const KINDS: [Attack; 6] = [
    Attack::InstructionOverride,
    Attack::RolePlay,
    Attack::HiddenUnicode,
    Attack::EncodedPayload,
    Attack::PromptExfiltration,
    Attack::DelimiterInjection,
];

/// (overall detection, false-positive rate), printed with per-kind rates, misses and false positives.
fn measure(name: &str, cases: &[Case], min_per_kind: usize) -> (f64, f64) {
    let (attacks, benign): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| !c.attacks.is_empty());
    let mut per_kind: BTreeMap<Attack, (usize, usize)> = BTreeMap::new();
    let (mut flagged, mut exact) = (0, 0);
    println!(
        "\n=== {name}: {} attacks, {} benign ===\n-- attacks missed or labelled differently --",
        attacks.len(),
        benign.len()
    );
    for case in &attacks {
        let found: BTreeSet<Attack> = screen(&case.text).attacks.into_iter().collect();
        flagged += usize::from(!found.is_empty());
        exact += usize::from(found == case.attacks);
        for kind in &case.attacks {
            let entry = per_kind.entry(*kind).or_default();
            entry.0 += 1;
            entry.1 += usize::from(found.contains(kind));
        }
        if found != case.attacks {
            println!("expected {:?} found {:?}: {:?}", case.attacks, found, case.text);
        }
    }
    println!("-- benign texts flagged --");
    let mut false_positives = 0;
    for case in &benign {
        let found = screen(&case.text);
        if found.is_flagged() {
            false_positives += 1;
            println!("found {:?}: {:?}", found.attacks, case.text);
        }
    }
    let rate = |hit: usize, of: usize| hit as f64 / of.max(1) as f64;
    println!("-- per kind (texts carrying the kind whose screening names it) --");
    for kind in KINDS {
        let (of, hit) = per_kind.get(&kind).copied().unwrap_or_default();
        assert!(of >= min_per_kind, "{name} needs at least {min_per_kind} cases of {kind:?}, has {of}");
        println!("{kind:?}: {hit}/{of} = {:.3}", rate(hit, of));
    }
    let detection = rate(flagged, attacks.len());
    let fpr = rate(false_positives, benign.len());
    println!("overall detection (flagged at all): {flagged}/{} = {detection:.3}", attacks.len());
    println!("exact label match: {exact}/{} = {:.3}", attacks.len(), rate(exact, attacks.len()));
    println!("false positives: {false_positives}/{} = {fpr:.3}", benign.len());
    (detection, fpr)
}

#[test]
fn corpus_detection_and_false_positive_rates() {
    let cases = corpus();
    let attacks = cases.iter().filter(|c| !c.attacks.is_empty()).count();
    assert!(attacks >= 80 && cases.len() - attacks >= 80, "{attacks} attacks, {} benign", cases.len() - attacks);
    let (detection, fpr) = measure("development corpus", &cases, 8);
    assert!(detection >= 0.9, "detection {detection:.3} below 0.9");
    assert!(fpr <= 0.05, "false-positive rate {fpr:.3} above 0.05");
}

/// A smaller set written after the first measurement on the development corpus and before any
/// detector change made from it, never used to tune the detector: its rates are the honest
/// estimate of how the screening does on text it was not shaped by. Its last 23 lines (fake
/// system headers and their benign look-alikes) were added the same way, before the detector
/// learned fake headers that give orders: 33/42 detected and 0/43 flagged before, 39/42 and 0/43
/// after.
#[test]
fn held_out_detection_and_false_positive_rates() {
    let (detection, fpr) = measure("held-out set", &load(include_str!("data/injection_holdout.jsonl")), 2);
    assert!(detection >= HELD_OUT_MIN_DETECTION, "held-out detection {detection:.3}");
    assert!(fpr <= HELD_OUT_MAX_FPR, "held-out false-positive rate {fpr:.3}");
}

/// The task's targets, which the held-out set met when first measured (30/32 detected, 0/30
/// false positives) and meets with its fake-header lines (39/42, 0/43); a regression below them
/// fails here.
const HELD_OUT_MIN_DETECTION: f64 = 0.9;
const HELD_OUT_MAX_FPR: f64 = 0.05;
