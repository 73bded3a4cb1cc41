//! Screening of client-submitted embeddings (vector-injection defence).
//!
//! A client that brings its own vectors can poison retrieval without touching any text: a vector
//! scaled up wins every inner-product search, a NaN poisons distance computations, a vector of
//! the wrong size corrupts the index. [`check`] rejects the malformed ones outright and the
//! anomalous ones by comparing their L2 norm with the norms the project has accepted so far
//! ([`NormStats`], kept in the project aggregate's state and updated through events).
//!
//! The norm test is deliberately one-dimensional: it is cheap, explainable in an error message,
//! and catches the scaling and spike attacks that matter for inner-product search. It cannot see
//! a well-scaled vector pointing somewhere odd; that is a retrieval-quality concern, not this one.

#[cfg(test)]
mod tests;

/// The smallest standard deviation a z-score is computed against, as a fraction of the mean norm.
///
/// Clients that L2-normalise their embeddings send norms of 1.0 ± 1e-7 (float rounding), so the
/// observed standard deviation can be ~1e-7 and a harmless 1.000001 would score z = 10. Flooring
/// the spread at 1% of the mean makes z = 4 mean "at least 4% away from the usual norm" for such
/// projects, which rounding never reaches, while a norm of 10 among unit vectors still scores 900.
/// For un-normalised embeddings (spread typically 10–25% of the mean) the floor never applies.
pub const RELATIVE_STD_FLOOR: f64 = 0.01;

/// Running statistics of accepted embeddings' L2 norms in one project (Welford), kept in an aggregate's state, so serde.
///
/// Welford's update is used rather than sums of squares because it stays accurate over millions
/// of observations of nearly equal values (the normalised-embedding case), where
/// `Σx² − n·mean²` cancels catastrophically.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NormStats {
    pub count: u64,
    pub mean: f64,
    /// Sum of squared deviations from the running mean.
    pub m2: f64,
}

impl NormStats {
    /// Records one accepted norm. Non-finite values are ignored: one of them would make the
    /// statistics NaN forever and switch the screening off for the project.
    pub fn observe(&mut self, norm: f64) {
        if !norm.is_finite() {
            return;
        }
        self.count += 1;
        let delta = norm - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (norm - self.mean);
    }

    /// Sample standard deviation (n − 1); None with fewer than 2 samples.
    pub fn std_dev(&self) -> Option<f64> {
        (self.count >= 2).then(|| (self.m2.max(0.0) / (self.count - 1) as f64).sqrt())
    }

    /// z-score of `norm`, or None while fewer than `min_samples` norms have been seen (nothing to compare with yet)
    ///
    /// The spread is floored at [`RELATIVE_STD_FLOOR`] × mean, so the score is signed and finite
    /// for any finite `norm` once there are at least two samples with a positive mean.
    pub fn z_score(&self, norm: f64, min_samples: u64) -> Option<f64> {
        if self.count < min_samples {
            return None;
        }
        let spread = self.std_dev()?.max(RELATIVE_STD_FLOOR * self.mean.abs());
        if spread <= 0.0 || !spread.is_finite() {
            return None;
        }
        Some((norm - self.mean) / spread)
    }
}

/// A project's embedding policy: the dimension its index was created with and how far from the
/// usual norm a vector may be.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EmbeddingGuard {
    pub dimension: u32,
    /// Largest accepted |z| of a vector's norm.
    pub max_z: f64,
    /// Norms to observe before the z-test applies; until then only structural checks run.
    pub min_samples: u64,
}

impl EmbeddingGuard {
    /// `max_z` of 4: for normally distributed norms |z| > 4 happens to 1 honest vector in ~16,000,
    /// and real norm distributions have heavier tails than normal, so 3 (1 in 370 even when
    /// normal) would reject real traffic. The attacks that matter (×5 or ×10 scaling, spikes)
    /// land at z in the tens or hundreds. `min_samples` of 30: below that the estimated spread is
    /// too noisy (its relative standard error is ~1/√(2n), 13% at 30) to reject anything on.
    pub fn new(dimension: u32) -> Self {
        Self { dimension, max_z: 4.0, min_samples: 30 }
    }
}

/// Why a client-submitted vector was refused. Serialised with a `reason` tag for the API and events.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    #[error("component {index} is not a finite number")]
    NonFinite { index: u32 },
    #[error("the vector has {actual} components, the project's embeddings have {expected}")]
    WrongDimension { expected: u32, actual: u32 },
    #[error("the vector is all zeros")]
    ZeroVector,
    #[error("the vector's norm {norm:.3} is {z:.1} standard deviations from the project's usual norm (at most {max_z} allowed)")]
    AnomalousNorm { norm: f64, z: f64, max_z: f64 },
}

/// Checks one vector against the guard and the project's statistics; Ok(norm) if accepted. Does not update stats (the caller records accepted norms through events).
///
/// Checks run cheapest and most certain first: size, then finiteness (reporting the first bad
/// component so a client can find its bug), then the zero vector, then the norm's z-score.
pub fn check(vector: &[f32], guard: &EmbeddingGuard, stats: &NormStats) -> Result<f64, Rejection> {
    let actual = u32::try_from(vector.len()).unwrap_or(u32::MAX);
    if actual != guard.dimension {
        return Err(Rejection::WrongDimension { expected: guard.dimension, actual });
    }
    // Squares summed in f64: an f32 component near f32::MAX squared would overflow in f32.
    let mut sum_of_squares = 0.0_f64;
    for (index, &component) in vector.iter().enumerate() {
        if !component.is_finite() {
            return Err(Rejection::NonFinite { index: u32::try_from(index).unwrap_or(u32::MAX) });
        }
        sum_of_squares += f64::from(component) * f64::from(component);
    }
    let norm = sum_of_squares.sqrt();
    if norm == 0.0 {
        return Err(Rejection::ZeroVector);
    }
    match stats.z_score(norm, guard.min_samples) {
        Some(z) if z.abs() > guard.max_z => Err(Rejection::AnomalousNorm { norm, z, max_z: guard.max_z }),
        _ => Ok(norm),
    }
}
