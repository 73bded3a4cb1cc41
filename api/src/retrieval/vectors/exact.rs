//! The exact scan: normalised rows in append-only segments, one dot product per visible row.

use std::sync::Arc;

/// Lanes of independent partial sums: a plain `sum()` over products is one dependent chain of
/// additions (floats are not reassociated), eight lanes let the compiler use SIMD registers.
const LANES: usize = 8;

/// The dot product of two equally long vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
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

/// `v` scaled to unit length (a zero vector stays zero): cosine becomes a dot product.
pub fn normalised(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    v.iter().map(|x| x / norm).collect()
}

/// Rows of one dimension, slot `i` being the `i`-th row across the segments in order. New rows
/// come as a new segment, so a snapshot shares the older ones with its predecessor.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    dimension: usize,
    segments: Vec<Arc<[f32]>>,
    len: usize,
}

impl Rows {
    pub fn new(dimension: usize) -> Self {
        Self { dimension, segments: Vec::new(), len: 0 }
    }

    /// Appends `rows`, `dimension` values each, already normalised.
    pub fn push(&mut self, rows: Vec<f32>) {
        if self.dimension == 0 || rows.is_empty() {
            return;
        }
        self.len += rows.len() / self.dimension;
        self.segments.push(rows.into());
    }

    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// Every row, by slot.
    pub fn iter(&self) -> impl Iterator<Item = &[f32]> + '_ {
        self.segments.iter().flat_map(|s| s.chunks_exact(self.dimension))
    }

    /// The `k` visible slots most similar to the normalised `query`, best first, with their
    /// cosine similarity.
    pub fn nearest(&self, query: &[f32], k: usize, visible: impl Fn(usize) -> bool) -> Vec<(usize, f32)> {
        if self.dimension == 0 || query.len() != self.dimension || k == 0 {
            return Vec::new();
        }
        let mut scored: Vec<(usize, f32)> = Vec::with_capacity(self.len);
        scored.extend(
            self.iter().enumerate().filter(|(slot, _)| visible(*slot)).map(|(slot, row)| (slot, dot(row, query))),
        );
        best(scored, k)
    }
}

/// The `k` highest scores, best first.
pub fn best(mut scored: Vec<(usize, f32)>, k: usize) -> Vec<(usize, f32)> {
    let k = k.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
}
