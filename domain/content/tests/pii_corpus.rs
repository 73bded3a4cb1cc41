//! Measures `detect` against the labelled corpus in `tests/data/pii_corpus.jsonl`: every line is
//! a text with the personal data a careful reader would mark in it. A finding counts as a true
//! positive only when its kind and exact substring match a label.
//!
//! Run with `cargo test -p content --test pii_corpus -- --nocapture` to see the table.

use std::collections::BTreeMap;

use content::pii::detect;
use domain::PiiKind;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    text: String,
    pii: Vec<Label>,
}

#[derive(Deserialize)]
struct Label {
    kind: PiiKind,
    value: String,
}

#[derive(Default)]
struct Tally {
    labelled: u32,
    found: u32,
    matched: u32,
}

impl Tally {
    fn recall(&self) -> f64 {
        ratio(self.matched, self.labelled)
    }

    fn precision(&self) -> f64 {
        ratio(self.matched, self.found)
    }
}

fn ratio(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        1.0
    } else {
        f64::from(part) / f64::from(whole)
    }
}

#[test]
fn detection_meets_recall_and_precision_targets_on_the_corpus() {
    let corpus = include_str!("data/pii_corpus.jsonl");
    let mut tallies: BTreeMap<PiiKind, Tally> = PiiKind::ALL.iter().map(|&kind| (kind, Tally::default())).collect();
    let mut misses = Vec::new();
    let mut lines = 0;
    for (number, line) in corpus.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        lines += 1;
        let line: Line = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", number + 1));
        let mut expected: Vec<(PiiKind, &str)> = line.pii.iter().map(|l| (l.kind, l.value.as_str())).collect();
        for &(kind, _) in &expected {
            tallies.entry(kind).or_default().labelled += 1;
        }
        for finding in detect(&line.text) {
            let value = &line.text[finding.range];
            let tally = tallies.entry(finding.kind).or_default();
            tally.found += 1;
            match expected.iter().position(|&(kind, label)| kind == finding.kind && label == value) {
                Some(at) => {
                    expected.swap_remove(at);
                    tally.matched += 1;
                }
                None => misses.push(format!("false positive {:<12} {value:?} in line {}", finding.kind, number + 1)),
            }
        }
        for (kind, value) in expected {
            misses.push(format!("missed         {kind:<12} {value:?} in line {}", number + 1));
        }
    }

    let total = tallies.values().fold(Tally::default(), |sum, t| Tally {
        labelled: sum.labelled + t.labelled,
        found: sum.found + t.found,
        matched: sum.matched + t.matched,
    });
    println!("PII corpus: {lines} texts, {} labelled values", total.labelled);
    println!("{:<12} {:>8} {:>6} {:>8} {:>7} {:>9}", "kind", "labelled", "found", "matched", "recall", "precision");
    for (kind, t) in tallies.iter().map(|(k, t)| (k.as_str(), t)).chain([("overall", &total)]) {
        println!(
            "{kind:<12} {:>8} {:>6} {:>8} {:>7.3} {:>9.3}",
            t.labelled,
            t.found,
            t.matched,
            t.recall(),
            t.precision()
        );
    }
    for miss in &misses {
        println!("{miss}");
    }

    assert!(lines >= 200, "the corpus should hold at least 200 texts, has {lines}");
    assert!(total.recall() >= 0.95, "overall recall {:.3}", total.recall());
    assert!(total.precision() >= 0.95, "overall precision {:.3}", total.precision());
    for (kind, tally) in &tallies {
        assert!(tally.recall() >= 0.9, "{kind} recall {:.3}", tally.recall());
    }
}
