//! Exact cosine search over a project's chunk vectors, held in memory.
//!
//! A project's vectors are loaded from `chunk_vectors` on first use and again whenever the
//! project's embedding version (from `embedding_versions`) moves, then scanned in full per
//! query: rows are normalised once at load, so a query costs one dot product per chunk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::PgPool;
use uuid::Uuid;

/// A chunk: its document and ordinal.
pub type ChunkKey = (Uuid, i32);

/// One project's vectors, normalised, in one contiguous block.
#[derive(Debug, Default)]
pub struct ProjectVectors {
    version: i64,
    dimension: usize,
    keys: Vec<ChunkKey>,
    rows: Vec<f32>,
}

impl ProjectVectors {
    fn new(version: i64, rows: Vec<(Uuid, i32, Vec<f32>)>) -> Self {
        let dimension = rows.first().map_or(0, |r| r.2.len());
        let mut vectors = Self { version, dimension, keys: Vec::with_capacity(rows.len()), rows: Vec::new() };
        vectors.rows.reserve(rows.len() * dimension);
        for (document, ordinal, vector) in rows.into_iter().filter(|r| r.2.len() == dimension) {
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
            vectors.keys.push((document, ordinal));
            vectors.rows.extend(vector.iter().map(|x| x / norm));
        }
        vectors
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `k` chunks most similar to `query` by cosine, best first.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(ChunkKey, f32)> {
        if query.len() != self.dimension || self.dimension == 0 || k == 0 {
            return Vec::new();
        }
        let norm = query.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
        let query: Vec<f32> = query.iter().map(|x| x / norm).collect();
        let mut scored: Vec<(usize, f32)> =
            self.rows.chunks_exact(self.dimension).map(|row| dot(row, &query)).enumerate().collect();
        let k = k.min(scored.len());
        if k == 0 {
            return Vec::new();
        }
        scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
        scored.truncate(k);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.into_iter().map(|(i, score)| (self.keys[i], score)).collect()
    }
}

/// Lanes of independent partial sums: a plain `sum()` over products is one dependent chain of
/// additions (floats are not reassociated), eight lanes let the compiler use SIMD registers.
const LANES: usize = 8;

/// The dot product of two equally long vectors.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; LANES];
    let (a_body, a_tail) = a.split_at(a.len() - a.len() % LANES);
    let (b_body, b_tail) = b.split_at(a_body.len());
    for (x, y) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        for i in 0..LANES {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

/// Every project's vectors this instance has needed; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct VectorIndex(Arc<Mutex<HashMap<Uuid, Arc<ProjectVectors>>>>);

impl VectorIndex {
    /// The project's vectors as of `version`, loading them if this instance holds an older set.
    pub async fn project(
        &self,
        pool: &PgPool,
        project_id: Uuid,
        version: i64,
    ) -> Result<Arc<ProjectVectors>, sqlx::Error> {
        if let Some(held) = self.0.lock().ok().and_then(|m| m.get(&project_id).cloned()) {
            if held.version == version {
                return Ok(held);
            }
        }
        let rows: Vec<(Uuid, i32, Vec<f32>)> =
            sqlx::query_as("SELECT document_id, ordinal, vector FROM chunk_vectors WHERE project_id = $1")
                .bind(project_id)
                .fetch_all(pool)
                .await?;
        let loaded = Arc::new(ProjectVectors::new(version, rows));
        if let Ok(mut map) = self.0.lock() {
            map.insert(project_id, Arc::clone(&loaded));
        }
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_handles_lengths_that_are_not_a_multiple_of_the_lanes() {
        let a: Vec<f32> = (1..=11).map(|i| i as f32).collect();
        assert_eq!(dot(&a, &a), (1..=11).map(|i| (i * i) as f32).sum::<f32>());
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn nearest_ranks_by_cosine_whatever_the_length() {
        let a = (Uuid::from_u128(1), 0);
        let b = (Uuid::from_u128(2), 0);
        let c = (Uuid::from_u128(3), 0);
        let vectors = ProjectVectors::new(
            1,
            vec![(a.0, 0, vec![1.0, 0.0]), (b.0, 0, vec![10.0, 10.0]), (c.0, 0, vec![0.0, 3.0])],
        );
        let found: Vec<ChunkKey> = vectors.nearest(&[0.9, 0.1], 2).into_iter().map(|(key, _)| key).collect();
        assert_eq!(found, vec![a, b]);
        assert!(vectors.nearest(&[1.0, 0.0, 0.0], 2).is_empty(), "a query of another dimension finds nothing");
    }
}
