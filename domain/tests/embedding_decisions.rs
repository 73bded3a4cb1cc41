mod support;

use domain::embedding::{EmbeddingGuard, NormStats, Rejection};
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
