use super::*;

fn stats_of(norms: &[f64]) -> NormStats {
    let mut stats = NormStats::default();
    norms.iter().for_each(|&n| stats.observe(n));
    stats
}

fn two_pass(norms: &[f64]) -> (f64, f64) {
    let mean = norms.iter().sum::<f64>() / norms.len() as f64;
    let var = norms.iter().map(|n| (n - mean).powi(2)).sum::<f64>() / (norms.len() - 1) as f64;
    (mean, var.sqrt())
}

/// Deterministic pseudo-random norms (an LCG: the crate takes no randomness dependency).
fn norms(count: usize, centre: f64, spread: f64) -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..count)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            centre + spread * ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
        })
        .collect()
}

fn unit_vector(dimension: usize, norm: f32) -> Vec<f32> {
    vec![norm / (dimension as f32).sqrt(); dimension]
}

#[test]
fn welford_matches_two_pass_computation() {
    for (centre, spread) in [(5.0, 2.0), (1.0, 1e-6), (1e6, 10.0)] {
        let sample = norms(10_000, centre, spread);
        let stats = stats_of(&sample);
        let (mean, sd) = two_pass(&sample);
        assert_eq!(stats.count, 10_000);
        assert!((stats.mean - mean).abs() <= 1e-12 * mean.abs(), "mean {} vs {mean}", stats.mean);
        let welford_sd = stats.std_dev().unwrap();
        assert!((welford_sd - sd).abs() <= 1e-6 * sd, "sd {welford_sd} vs {sd}");
    }
}

#[test]
fn std_dev_needs_two_samples() {
    assert_eq!(NormStats::default().std_dev(), None);
    assert_eq!(stats_of(&[3.0]).std_dev(), None);
    assert_eq!(stats_of(&[3.0, 5.0]).std_dev(), Some(2.0_f64.sqrt()));
}

#[test]
fn non_finite_norms_are_not_observed() {
    let stats = stats_of(&[1.0, f64::NAN, 2.0, f64::INFINITY]);
    assert_eq!(stats.count, 2);
    assert_eq!(stats.mean, 1.5);
}

#[test]
fn z_score_is_none_before_min_samples() {
    let stats = stats_of(&norms(29, 5.0, 1.0));
    assert_eq!(stats.z_score(100.0, 30), None);
    let stats = stats_of(&norms(30, 5.0, 1.0));
    assert!(stats.z_score(100.0, 30).unwrap() > 4.0);
    assert_eq!(stats_of(&[1.0]).z_score(2.0, 0), None, "one sample has no spread whatever min_samples says");
}

#[test]
fn z_score_is_signed() {
    let stats = stats_of(&[4.0, 6.0]);
    let sd = 2.0_f64.sqrt();
    assert!((stats.z_score(5.0 + sd, 2).unwrap() - 1.0).abs() < 1e-12);
    assert!((stats.z_score(5.0 - 2.0 * sd, 2).unwrap() + 2.0).abs() < 1e-12);
}

#[test]
fn tiny_spread_is_floored_relative_to_the_mean() {
    let stats = stats_of(&norms(1_000, 1.0, 2e-7));
    assert!(stats.z_score(1.000_001, 30).unwrap().abs() < 0.01);
    assert!((stats.z_score(1.05, 30).unwrap() - 5.0).abs() < 1e-3);
}

#[test]
fn normalised_vectors_with_rounding_noise_are_accepted_and_a_norm_of_ten_is_not() {
    let guard = EmbeddingGuard::new(64);
    let stats = stats_of(&norms(500, 1.0, 2e-7));
    for norm in [1.0, 0.999_999_9, 1.000_000_1, 1.001] {
        assert!(check(&unit_vector(64, norm), &guard, &stats).is_ok(), "norm {norm}");
    }
    let rejected = check(&unit_vector(64, 10.0), &guard, &stats).unwrap_err();
    assert!(matches!(rejected, Rejection::AnomalousNorm { z, .. } if z > 100.0), "{rejected:?}");
}

#[test]
fn anything_finite_and_non_zero_passes_while_warming_up() {
    let guard = EmbeddingGuard::new(4);
    let stats = stats_of(&norms(29, 1.0, 0.1));
    assert_eq!(check(&[1e30, 0.0, 0.0, 0.0], &guard, &stats), Ok(1e30_f32 as f64));
}

#[test]
fn structural_checks_come_first_and_name_the_component() {
    let guard = EmbeddingGuard::new(4);
    let stats = NormStats::default();
    assert_eq!(check(&[1.0; 3], &guard, &stats), Err(Rejection::WrongDimension { expected: 4, actual: 3 }));
    assert_eq!(check(&[], &guard, &stats), Err(Rejection::WrongDimension { expected: 4, actual: 0 }));
    assert_eq!(check(&[1.0, f32::NAN, f32::INFINITY, 0.0], &guard, &stats), Err(Rejection::NonFinite { index: 1 }));
    assert_eq!(check(&[1.0, 2.0, 3.0, f32::NEG_INFINITY], &guard, &stats), Err(Rejection::NonFinite { index: 3 }));
    assert_eq!(check(&[0.0, -0.0, 0.0, 0.0], &guard, &stats), Err(Rejection::ZeroVector));
}

#[test]
fn huge_components_do_not_overflow_the_norm() {
    let guard = EmbeddingGuard::new(2);
    let norm = check(&[f32::MAX, f32::MAX], &guard, &NormStats::default()).unwrap();
    assert!(norm.is_finite() && norm > 4e38);
}

#[test]
fn default_guard_is_documented_values() {
    assert_eq!(EmbeddingGuard::new(384), EmbeddingGuard { dimension: 384, max_z: 4.0, min_samples: 30 });
}

#[test]
fn rejections_read_well() {
    assert_eq!(Rejection::NonFinite { index: 17 }.to_string(), "component 17 is not a finite number");
    assert_eq!(
        Rejection::WrongDimension { expected: 384, actual: 768 }.to_string(),
        "the vector has 768 components, the project's embeddings have 384"
    );
    assert_eq!(Rejection::ZeroVector.to_string(), "the vector is all zeros");
    assert_eq!(
        Rejection::AnomalousNorm { norm: 48.5, z: 37.04, max_z: 4.0 }.to_string(),
        "the vector's norm 48.500 is 37.0 standard deviations from the project's usual norm (at most 4 allowed)"
    );
}

#[test]
fn rejections_serialise_with_a_reason_tag() {
    let json = serde_json::to_value(Rejection::WrongDimension { expected: 4, actual: 3 }).unwrap();
    assert_eq!(json, serde_json::json!({"reason": "wrong_dimension", "expected": 4, "actual": 3}));
    let json = serde_json::to_value(Rejection::ZeroVector).unwrap();
    assert_eq!(json, serde_json::json!({"reason": "zero_vector"}));
    let stats = stats_of(&[1.0, 2.0]);
    let back: NormStats = serde_json::from_str(&serde_json::to_string(&stats).unwrap()).unwrap();
    assert_eq!(back, stats);
}
