//! Measures embedding screening on real embeddings and on attacks derived from them.
//!
//! `cargo test -p content --test embedding_sets -- --nocapture` prints the rates. The sets are
//! made by scripts/gen-embedding-sets.py (all-MiniLM-L6-v2, un-normalised mean pooling, fixed
//! random projection to 128 dimensions; see the script for how to rerun it). The project's
//! statistics are warmed with the first WARM_UP benign vectors, the way a project accumulates
//! them: each checked, and observed only if accepted. The rest of the benign set is held out:
//! none of it may be rejected, and every scaled vector (×5, ×10, ×0.05, ×1e-6) must be.

use std::collections::BTreeMap;

use content::embedding::{check, EmbeddingGuard, NormStats, Rejection, MAX_NORM_RATIO};

/// Must match WARM_UP in scripts/gen-embedding-sets.py (it places the "subtle" vectors by z).
const WARM_UP: usize = 200;
const DIMENSION: u32 = 128;

#[derive(serde::Deserialize)]
struct Line {
    vector: Vec<serde_json::Value>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    expect: String,
}

/// JSON has no NaN or infinities, so the file spells them as strings.
fn component(value: &serde_json::Value) -> f32 {
    match value {
        serde_json::Value::Number(n) => n.as_f64().unwrap() as f32,
        serde_json::Value::String(s) if s == "NaN" => f32::NAN,
        serde_json::Value::String(s) if s == "Infinity" => f32::INFINITY,
        serde_json::Value::String(s) if s == "-Infinity" => f32::NEG_INFINITY,
        other => panic!("not a vector component: {other}"),
    }
}

fn load(jsonl: &str) -> Vec<(Line, Vec<f32>)> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let line: Line = serde_json::from_str(l).unwrap();
            let vector = line.vector.iter().map(component).collect();
            (line, vector)
        })
        .collect()
}

fn norm(vector: &[f32]) -> f64 {
    vector.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt()
}

fn reason(outcome: &Result<f64, Rejection>) -> &'static str {
    match outcome {
        Ok(_) => "accept",
        Err(Rejection::NonFinite { .. }) => "non_finite",
        Err(Rejection::WrongDimension { .. }) => "wrong_dimension",
        Err(Rejection::ZeroVector) => "zero_vector",
        Err(Rejection::AnomalousNorm { .. }) => "anomalous_norm",
    }
}

#[test]
fn real_embeddings_pass_and_attacks_are_caught() {
    let guard = EmbeddingGuard::new(DIMENSION);
    let benign = load(include_str!("data/embedding_benign.jsonl"));
    let adversarial = load(include_str!("data/embedding_adversarial.jsonl"));
    assert!(benign.len() > WARM_UP + 100, "{} benign vectors", benign.len());

    let mut stats = NormStats::default();
    let mut warm_up_rejected = 0;
    for (_, vector) in &benign[..WARM_UP] {
        match check(vector, &guard, &stats) {
            Ok(norm) => stats.observe(norm),
            Err(_) => warm_up_rejected += 1,
        }
    }
    let sd = stats.std_dev().unwrap();
    println!("\nwarm-up: {WARM_UP} vectors, {warm_up_rejected} rejected; norm mean {:.4}, sd {sd:.4}", stats.mean);

    let ratios = benign.iter().map(|(_, v)| norm(v) / stats.mean);
    let (low, high) = ratios.fold((f64::INFINITY, 0.0_f64), |(lo, hi), r| (lo.min(r), hi.max(r)));
    println!(
        "benign norms span {low:.3} to {high:.3} times the mean (ratio bound: 1/{MAX_NORM_RATIO} to {MAX_NORM_RATIO})"
    );

    let held_out = &benign[WARM_UP..];
    let false_positives: Vec<_> =
        held_out.iter().map(|(_, v)| check(v, &guard, &stats)).filter(Result::is_err).collect();
    let fpr = false_positives.len() as f64 / held_out.len() as f64;
    println!(
        "held-out benign: {} of {} rejected = {fpr:.4} {false_positives:?}",
        false_positives.len(),
        held_out.len()
    );

    // kind -> (count, rejected, rejected for the expected reason or accepted as expected)
    let mut per_kind: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    let (mut norm_attacks, mut norm_caught, mut beyond_z, mut beyond_z_caught) = (0, 0, 0, 0);
    for (line, vector) in &adversarial {
        let outcome = check(vector, &guard, &stats);
        let entry = per_kind.entry((line.kind.clone(), line.expect.clone())).or_default();
        entry.0 += 1;
        entry.1 += usize::from(outcome.is_err());
        entry.2 += usize::from(reason(&outcome) == line.expect);
        if line.expect == "anomalous_norm" {
            norm_attacks += 1;
            norm_caught += usize::from(outcome.is_err());
            let norm = norm(vector);
            if stats.z_score(norm, guard.min_samples).is_some_and(|z| z.abs() > guard.max_z) {
                beyond_z += 1;
                beyond_z_caught += usize::from(outcome.is_err());
            }
        }
        if matches!(line.expect.as_str(), "non_finite" | "wrong_dimension" | "zero_vector") {
            assert_eq!(reason(&outcome), line.expect, "{} must always be caught", line.kind);
        }
    }
    println!("adversarial, per kind (expected outcome): rejected / as expected / count");
    for ((kind, expect), (count, rejected, as_expected)) in &per_kind {
        println!("  {kind:<16} ({expect}): {rejected} / {as_expected} / {count}");
    }
    let norm_rate = norm_caught as f64 / norm_attacks as f64;
    let beyond_rate = beyond_z_caught as f64 / beyond_z.max(1) as f64;
    println!("norm attacks caught: {norm_caught}/{norm_attacks} = {norm_rate:.3}");
    println!(
        "norm attacks beyond the configured |z| > {}: {beyond_z_caught}/{beyond_z} = {beyond_rate:.3}",
        guard.max_z
    );

    assert_eq!(false_positives, vec![], "no held-out benign vector may be rejected");
    assert!(beyond_rate >= 0.9, "{beyond_rate:.3} of norm attacks beyond max_z caught");
    for ((kind, _), (count, rejected, _)) in &per_kind {
        if kind.starts_with("scaled_") {
            assert_eq!(rejected, count, "{kind}: a scaled vector is caught whichever way it was scaled");
        }
    }
    for ((kind, expect), (count, _, as_expected)) in &per_kind {
        if expect == "accept" {
            assert_eq!(as_expected, count, "{kind}: vectors inside the threshold must pass");
        }
    }
}
