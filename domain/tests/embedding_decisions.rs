mod support;

use domain::embedding::{check, EmbeddingGuard, NormStats, Rejection, MAX_NORM_RATIO};
use domain::{
    ChunkVector, Decide, DocumentId, EmbeddingsCommand, EmbeddingsError, EmbeddingsEvent, ProjectEmbeddings, ProjectId,
};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const PROJECT: ProjectId = ProjectId::new(Uuid::from_u128(1));
const DOCUMENT: DocumentId = DocumentId::new(Uuid::from_u128(2));

fn submit(vectors: Vec<Vec<f32>>) -> EmbeddingsCommand {
    let vectors = vectors.into_iter().enumerate().map(|(i, vector)| ChunkVector { chunk: i as u32, vector }).collect();
    EmbeddingsCommand::Submit {
        project_id: PROJECT,
        document_id: DOCUMENT,
        vectors,
        guard: EmbeddingGuard::new(2),
        at: AT,
    }
}

/// The statistics after accepting these norms, in order.
fn stats(norms: &[f64]) -> NormStats {
    let mut stats = NormStats::default();
    norms.iter().for_each(|n| stats.observe(*n));
    stats
}

#[test]
fn malformed_vectors_are_rejected_as_events_and_the_rest_accepted() {
    let events = ProjectEmbeddings::default()
        .decide(submit(vec![vec![3.0, 4.0], vec![1.0], vec![f32::NAN, 1.0], vec![0.0, 0.0]]))
        .unwrap();
    let after = stats(&[5.0]);
    let rejected = |chunk, rejection| EmbeddingsEvent::EmbeddingRejected {
        project_id: PROJECT,
        document_id: DOCUMENT,
        chunk,
        rejection,
        stats: after,
        at: AT,
    };
    assert_eq!(
        events[..3],
        [
            rejected(1, Rejection::WrongDimension { expected: 2, actual: 1 }),
            rejected(2, Rejection::NonFinite { index: 0 }),
            rejected(3, Rejection::ZeroVector),
        ]
    );
    match &events[3] {
        EmbeddingsEvent::EmbeddingsAccepted { count, vectors, stats, .. } => {
            assert_eq!((*count, *stats), (1, after));
            assert_eq!(vectors.subject(), &DOCUMENT.subject(), "vectors are sealed under their document");
            assert_eq!(vectors.value().unwrap()[0].vector, vec![3.0, 4.0]);
        }
        other => panic!("expected the accepted vectors last, got {other:?}"),
    }
}

#[test]
fn a_vector_far_from_the_projects_usual_norm_is_rejected_once_there_are_enough_samples() {
    let usual: Vec<f64> = (0..40).map(|i| 5.0 + f64::from(i % 5) * 0.1).collect();
    let state = ProjectEmbeddings { stats: stats(&usual) };
    let events = state.decide(submit(vec![vec![30.0, 40.0], vec![3.0, 4.1]])).unwrap();
    assert!(matches!(
        &events[0],
        EmbeddingsEvent::EmbeddingRejected { chunk: 0, rejection: Rejection::AnomalousNorm { .. }, .. }
    ));
    assert!(matches!(&events[1], EmbeddingsEvent::EmbeddingsAccepted { count: 1, .. }));
}

/// Norms spread as widely as raw pooled embeddings' (30% of the mean): no norm can score below
/// z = -3.3, so the z-score alone could never refuse a shrunk vector here.
fn wide_spread() -> NormStats {
    stats(&(0..40).map(|i| if i % 2 == 0 { 3.5 } else { 6.5 }).collect::<Vec<_>>())
}

#[test]
fn a_vector_shrunk_twentyfold_is_rejected_though_its_z_score_is_inside_max_z() {
    let state = ProjectEmbeddings { stats: wide_spread() };
    let events = state.decide(submit(vec![vec![0.15, 0.2], vec![0.6, 0.8], vec![1.8, 2.4]])).unwrap();
    let EmbeddingsEvent::EmbeddingRejected { chunk: 0, rejection: Rejection::AnomalousNorm { norm, z, max_z }, .. } =
        &events[0]
    else {
        panic!("expected the shrunk vector rejected first, got {events:?}");
    };
    assert!((norm - 0.25).abs() < 1e-6 && z.abs() <= *max_z, "inside the z bound: {norm} {z}");
    assert!(
        matches!(&events[1], EmbeddingsEvent::EmbeddingsAccepted { count: 2, .. }),
        "shrunk fivefold (ratio 0.2) and 0.6 of the mean pass: {events:?}"
    );
}

#[test]
fn the_ratio_bound_is_an_order_of_magnitude_either_way() {
    let guard = EmbeddingGuard::new(2);
    let at = |norm: f64, stats: &NormStats| check(&[norm as f32, 0.0], &guard, stats);
    let wide = wide_spread();
    assert!(at(5.0 / MAX_NORM_RATIO * 1.01, &wide).is_ok());
    assert!(at(5.0 / MAX_NORM_RATIO * 0.99, &wide).is_err());
    // One outlier among the accepted norms inflates the spread so far that z = 4 sits at 19
    // times the mean; the ratio still refuses a vector grown more than tenfold.
    let inflated = stats(&[[1.0; 39].as_slice(), &[100.0]].concat());
    assert!(at(inflated.mean * MAX_NORM_RATIO * 0.99, &inflated).is_ok());
    let rejected = at(inflated.mean * MAX_NORM_RATIO * 1.01, &inflated).unwrap_err();
    assert!(matches!(rejected, Rejection::AnomalousNorm { z, max_z, .. } if z < max_z), "{rejected:?}");
    assert!(rejected.to_string().contains("more than 10 times larger than"), "{rejected}");
    assert!(at(0.01, &stats(&[5.0; 29])).is_ok(), "nothing is judged by its norm before min_samples");
}

#[test]
fn a_ratio_rejection_says_the_vector_is_scaled_and_keeps_the_events_shape() {
    let rejection = check(&[0.15, 0.2], &EmbeddingGuard::new(2), &wide_spread()).unwrap_err();
    assert_eq!(
        rejection.to_string(),
        "the vector's norm 0.250 is more than 10 times smaller than the project's usual norm \
         (a scaled vector, though only -3.1 standard deviations away)"
    );
    let json = serde_json::to_value(&rejection).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["max_z", "norm", "reason", "z"]);
    assert_eq!(json["reason"], "anomalous_norm");
}

#[test]
fn statistics_stored_before_the_ratio_bound_screen_with_it_unchanged() {
    // The payload of a `stats` field as events and the read model have always stored it.
    let stored: NormStats = serde_json::from_str(r#"{"count":40,"mean":5.0,"m2":90.0}"#).unwrap();
    assert_eq!(stored, wide_spread());
    assert_eq!(serde_json::to_value(stored).unwrap(), serde_json::json!({"count": 40, "mean": 5.0, "m2": 90.0}));
    let guard = EmbeddingGuard::new(2);
    assert!(matches!(check(&[0.15, 0.2], &guard, &stored), Err(Rejection::AnomalousNorm { .. })));
    assert!(check(&[3.0, 4.0], &guard, &stored).is_ok());
}

#[test]
fn an_empty_submission_is_refused_and_the_last_event_is_the_state() {
    scenario::<ProjectEmbeddings>()
        .given_no_previous_events()
        .when(submit(vec![]))
        .then_expect_error(EmbeddingsError::Empty);
    let mut state = ProjectEmbeddings::default();
    for event in ProjectEmbeddings::default().decide(submit(vec![vec![3.0, 4.0], vec![6.0, 8.0]])).unwrap() {
        state.apply(event);
    }
    assert_eq!(state.stats, stats(&[5.0, 10.0]));
}
