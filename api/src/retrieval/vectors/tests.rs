//! The index without a database: exact ranking, the graph's recall against it, replaced and
//! erased chunks, and queries of the wrong dimension.

use uuid::Uuid;

use super::exact::dot;
use super::{Change, ChunkKey, Snapshot};

/// A small deterministic generator (xorshift*): the tests need no `rand`.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 / (1u64 << 24) as f32
    }

    fn vector(&mut self, dimension: usize) -> Vec<f32> {
        (0..dimension).map(|_| self.unit() - 0.5).collect()
    }
}

fn key(document: u128, ordinal: i32) -> ChunkKey {
    (Uuid::from_u128(document), ordinal)
}

fn change(version: i64, rows: Vec<(ChunkKey, Vec<f32>)>, erased: Vec<Uuid>) -> Change {
    Change { version, rows, erased }
}

/// `n` vectors around 50 cluster centres, as embeddings of related texts are: four chunks to
/// a document.
fn clustered(rng: &mut Rng, n: usize, dimension: usize) -> Vec<(ChunkKey, Vec<f32>)> {
    let centres: Vec<Vec<f32>> = (0..50).map(|_| rng.vector(dimension)).collect();
    (0..n)
        .map(|i| {
            let centre = &centres[(rng.unit() * 50.0) as usize % 50];
            let v = centre.iter().map(|c| c + 0.4 * (rng.unit() - 0.5)).collect();
            (key(i as u128 / 4, (i % 4) as i32), v)
        })
        .collect()
}

fn keys(found: &[(ChunkKey, f32)]) -> Vec<ChunkKey> {
    found.iter().map(|(key, _)| *key).collect()
}

#[test]
fn dot_handles_lengths_that_are_not_a_multiple_of_the_lanes() {
    let a: Vec<f32> = (1..=11).map(|i| i as f32).collect();
    assert_eq!(dot(&a, &a), (1..=11).map(|i| (i * i) as f32).sum::<f32>());
    assert_eq!(dot(&[], &[]), 0.0);
}

#[test]
fn nearest_ranks_by_cosine_whatever_the_length() {
    let (a, b, c) = (key(1, 0), key(2, 0), key(3, 0));
    let rows = vec![(a, vec![1.0, 0.0]), (b, vec![10.0, 10.0]), (c, vec![0.0, 3.0])];
    let vectors = Snapshot::default().apply(change(1, rows, vec![]));
    assert!(!vectors.approximate());
    assert_eq!(keys(&vectors.nearest(&[0.9, 0.1], 2)), vec![a, b]);
    assert!(vectors.nearest(&[1.0, 0.0, 0.0], 2).is_empty(), "a query of another dimension finds nothing");
}

#[test]
fn rows_of_another_dimension_than_the_first_are_left_out() {
    let rows = vec![(key(1, 0), vec![1.0, 0.0]), (key(2, 0), vec![1.0, 0.0, 0.0]), (key(3, 0), vec![0.0, 1.0])];
    let vectors = Snapshot::default().apply(change(1, rows, vec![]));
    assert_eq!((vectors.len(), vectors.dimension()), (2, 2));
    assert_eq!(keys(&vectors.nearest(&[1.0, 0.0], 5)), vec![key(1, 0), key(3, 0)]);
}

#[test]
fn the_graph_finds_nine_in_ten_of_the_exact_top_ten() {
    let mut rng = Rng(0x5EED);
    let (n, dimension) = (4_000, 32);
    let exact = Snapshot::empty(usize::MAX).apply(change(1, clustered(&mut rng, n, dimension), vec![]));
    let graph = exact.clone().with_exact_max_work(n * dimension / 2).rebuilt();
    assert!(graph.approximate() && !exact.approximate());
    assert_eq!(graph.len(), n);
    let (queries, mut found) = (100, 0);
    for _ in 0..queries {
        let query = rng.vector(dimension);
        let truth = keys(&exact.nearest(&query, 10));
        found += keys(&graph.nearest(&query, 10)).iter().filter(|key| truth.contains(key)).count();
    }
    let recall = found as f64 / (queries * 10) as f64;
    assert!(recall >= 0.9, "recall@10 {recall}");
}

#[test]
fn a_replaced_vector_is_found_where_it_now_points_and_no_longer_where_it_did() {
    let mut rng = Rng(7);
    let dimension = 16;
    for exact_max_work in [usize::MAX, 0] {
        let rows = clustered(&mut rng, 500, dimension);
        let base = Snapshot::empty(exact_max_work).apply(change(1, rows.clone(), vec![])).rebuilt();
        assert_eq!(base.approximate(), exact_max_work == 0);
        let replaced = key(3, 1);
        let old = rows.iter().find(|(k, _)| *k == replaced).unwrap().1.clone();
        let new: Vec<f32> = old.iter().map(|x| -x).collect();
        let next = base.apply(change(2, vec![(replaced, new.clone())], vec![]));
        assert_eq!((next.version(), next.len()), (2, 500), "replacing adds no chunk");
        assert_eq!(keys(&next.nearest(&new, 1)), vec![replaced]);
        assert!(!keys(&next.nearest(&old, 20)).contains(&replaced), "the old vector is gone");
        assert_eq!(keys(&base.nearest(&old, 1)), vec![replaced], "the previous snapshot still sees the old one");
    }
}

#[test]
fn erased_documents_are_never_found_and_compaction_keeps_the_rest() {
    let mut rng = Rng(11);
    let dimension = 16;
    let rows = clustered(&mut rng, 400, dimension);
    let base = Snapshot::empty(0).apply(change(1, rows.clone(), vec![])).rebuilt();
    assert!(base.approximate());
    // Documents 0..40 of 100: 40% of the slots die, past the share that calls for a rebuild.
    let erased: Vec<Uuid> = (0..40).map(Uuid::from_u128).collect();
    let next = base.apply(change(5, vec![], erased.clone()));
    assert_eq!(next.len(), 240);
    assert!(next.needs_rebuild());
    for snapshot in [&next, &next.rebuilt()] {
        for (_, vector) in rows.iter().take(20) {
            let found = snapshot.nearest(vector, 50);
            assert_eq!(found.len(), 50);
            assert!(found.iter().all(|((document, _), _)| !erased.contains(document)), "{found:?}");
        }
    }
    let rebuilt = next.rebuilt();
    assert_eq!((rebuilt.len(), rebuilt.version()), (240, 5));
    assert!(!rebuilt.needs_rebuild());
    let (kept, vector) = &rows[399];
    assert_eq!(keys(&rebuilt.nearest(vector, 1)), vec![*kept]);
}

#[test]
fn new_points_in_a_shared_graph_stay_invisible_to_older_snapshots() {
    let mut rng = Rng(3);
    let rows = clustered(&mut rng, 300, 8);
    let base = Snapshot::empty(0).apply(change(1, rows, vec![])).rebuilt();
    let added = key(999, 0);
    let vector = rng.vector(8);
    let next = base.apply(change(2, vec![(added, vector.clone())], vec![]));
    assert_eq!(keys(&next.nearest(&vector, 1)), vec![added]);
    assert!(!keys(&base.nearest(&vector, 300)).contains(&added));
}

#[test]
fn a_growing_exact_snapshot_asks_for_the_graph_past_its_limit() {
    let mut rng = Rng(5);
    let small = Snapshot::empty(100 * 8).apply(change(1, clustered(&mut rng, 100, 8), vec![]));
    assert!(!small.needs_rebuild());
    let grown = small.apply(change(2, vec![(key(500, 0), rng.vector(8))], vec![]));
    assert!(grown.needs_rebuild());
    assert!(grown.rebuilt().approximate());
}
