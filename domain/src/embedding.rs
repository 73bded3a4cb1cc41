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
//! It has two bounds, both read from the same [`NormStats`]: a z-score (additive: how many
//! standard deviations from the mean) and a ratio to the mean (multiplicative, see
//! [`MAX_NORM_RATIO`]), because scaling attacks are multiplicative and the z-score alone cannot
//! see a vector shrunk towards zero.

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

/// How many times smaller or larger than the project's mean norm a vector's norm may be,
/// whatever the spread: the multiplicative bound beside the z-score.
///
/// Why: a norm cannot go below zero, so its z-score cannot go below −mean/spread. With the
/// spread of raw pooled embeddings (24% of the mean for all-MiniLM-L6-v2 in the committed set)
/// the lowest reachable z is −4.2, and a z bound of 4 only rejects norms under 6% of the mean: a
/// vector shrunk ×0.05 sat exactly on the threshold and half passed, while growing a vector ×2
/// was already caught. Scaling is multiplicative, so the honest yardstick on the low side is the
/// factor `norm / mean`, which the linear statistics already hold (a z-score of the *log* norm
/// would need the log norms' moments, which stored events do not have; a log-normal fit to the
/// linear moments puts the committed set's smallest honest norm at a log z of −3.6, too near any
/// bound to trust).
///
/// Why 10: an order of magnitude is far outside any honest spread of one model's norms. The
/// committed benign set (chunks, questions and one-word queries alike, which is what the same
/// guard sees on query embeddings) spans 0.43 to 1.81 times its mean; unit-normalised clients
/// sit at 1 ± 1e-7. So the bound leaves honest vectors a margin of 4× on the low side, and
/// catches ×0.05 shrinking of any of them (0.09 of the mean at most). A vector shrunk less than
/// tenfold can still pass, as one grown less than ×1.9 passes the z-score: shrinking only buries
/// the vector in inner-product search, which cannot lift a chunk over others. Above the mean,
/// with the default `max_z` of 4, the z-score is the tighter bound for any spread under 225% of
/// the mean, so there the ratio is a backstop against an inflated spread or a very lenient
/// `max_z`. It applies with the z-score, after [`EmbeddingGuard::min_samples`], and needs
/// nothing stored beyond the mean: events and read models written before it existed are judged
/// by it as they are.
pub const MAX_NORM_RATIO: f64 = 10.0;

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

    /// `norm` as a multiple of the mean norm, or None while fewer than `min_samples` norms have
    /// been seen or the mean is not a positive number.
    pub fn ratio(&self, norm: f64, min_samples: u64) -> Option<f64> {
        (self.count >= min_samples && self.mean > 0.0 && self.mean.is_finite()).then(|| norm / self.mean)
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
    /// Outside the z-score bound, or inside it but more than [`MAX_NORM_RATIO`] times from the
    /// mean norm (then `|z| <= max_z`, which is how the message tells the two apart: the
    /// serialised shape is the one events have always carried).
    #[error("{}", anomalous_norm(*.norm, *.z, *.max_z))]
    AnomalousNorm { norm: f64, z: f64, max_z: f64 },
}

fn anomalous_norm(norm: f64, z: f64, max_z: f64) -> String {
    if z.abs() > max_z {
        format!(
            "the vector's norm {norm:.3} is {z:.1} standard deviations from the project's usual norm (at most {max_z} allowed)"
        )
    } else {
        let direction = if z < 0.0 { "smaller" } else { "larger" };
        format!(
            "the vector's norm {norm:.3} is more than {MAX_NORM_RATIO} times {direction} than the project's usual norm \
             (a scaled vector, though only {z:.1} standard deviations away)"
        )
    }
}

/// Checks one vector against the guard and the project's statistics; Ok(norm) if accepted. Does not update stats (the caller records accepted norms through events).
///
/// Checks run cheapest and most certain first: size, then finiteness (reporting the first bad
/// component so a client can find its bug), then the zero vector, then the norm's z-score and
/// its ratio to the mean ([`MAX_NORM_RATIO`]).
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
    let scaled = |ratio: f64| !(1.0 / MAX_NORM_RATIO..=MAX_NORM_RATIO).contains(&ratio);
    match stats.z_score(norm, guard.min_samples) {
        Some(z) if z.abs() > guard.max_z || stats.ratio(norm, guard.min_samples).is_some_and(scaled) => {
            Err(Rejection::AnomalousNorm { norm, z, max_z: guard.max_z })
        }
        _ => Ok(norm),
    }
}
