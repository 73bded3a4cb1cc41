//! The approximate index: an HNSW graph (hnsw_rs) over normalised rows, each point named by
//! its slot. The graph only grows; a point that is replaced or erased stays in it as a waypoint
//! and a filter keeps it out of results, until a rebuild leaves it behind.

use std::fmt;

use hnsw_rs::prelude::{Distance, Hnsw, Neighbour};

use super::exact::dot;

/// Links per point and layer (HNSW's `M`): 16 is the usual balance of recall and memory.
const LINKS: usize = 16;
/// Candidates kept while inserting (`ef_construction`).
const EF_CONSTRUCTION: usize = 100;
/// Layers at most (hnsw_rs caps it at 16).
const LAYERS: usize = 16;
/// Below this many points an insert is not worth spreading over threads.
const PARALLEL_FROM: usize = 256;

/// Cosine distance between rows already of unit length. Not anndists' `DistDot`, which
/// asserts `dot <= 1` and would panic on a rounding error.
#[derive(Debug, Clone, Copy, Default)]
struct UnitCosine;

impl Distance<f32> for UnitCosine {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

/// Inserting takes `&self`: hnsw_rs locks inside, so searches run while points are added.
pub struct Graph {
    hnsw: Hnsw<'static, f32, UnitCosine>,
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph").field("points", &self.len()).finish()
    }
}

impl Graph {
    /// An empty graph sized for about `capacity` points.
    pub fn new(capacity: usize) -> Self {
        Self { hnsw: Hnsw::new(LINKS, capacity.max(1), LAYERS, EF_CONSTRUCTION, UnitCosine) }
    }

    /// Points ever inserted, visible or not.
    pub fn len(&self) -> usize {
        self.hnsw.get_nb_point()
    }

    /// Adds normalised rows with their slots, over the machine's cores when there are many.
    pub fn insert(&self, points: &Vec<(&[f32], usize)>) {
        if points.len() >= PARALLEL_FROM {
            self.hnsw.parallel_insert_slice(points);
        } else {
            points.iter().for_each(|point| self.hnsw.insert_slice(*point));
        }
    }

    /// Up to `k` visible slots near the normalised `query`, best first, with their cosine
    /// similarity: computed on the stored rows, so exact for every candidate returned. `ef`
    /// is the width of the search in the bottom layer.
    ///
    /// hnsw_rs's filtered search does not stop once its candidates get no closer: it walks on
    /// until none is left, several times the work (`ctxi bench vectors`). So the graph is
    /// searched unfiltered for `ef` points and the invisible ones dropped after; only when
    /// fewer than `k` are left (many dead slots near the query) is the filtered search run.
    pub fn nearest(&self, query: &[f32], k: usize, ef: usize, visible: &dyn Fn(usize) -> bool) -> Vec<(usize, f32)> {
        if self.len() == 0 || k == 0 {
            return Vec::new();
        }
        let ef = ef.max(k);
        let found: Vec<(usize, f32)> =
            self.hnsw.search(query, ef, ef).into_iter().filter(|n| visible(n.d_id)).map(scored).collect();
        if found.len() >= k {
            return found;
        }
        let filter = |slot: &usize| visible(*slot);
        self.hnsw.search_filter(query, k, ef, Some(&filter)).into_iter().map(scored).collect()
    }

    /// Every point's slot and row, in no particular order.
    pub fn points(&self) -> Vec<(usize, Vec<f32>)> {
        if self.len() == 0 {
            return Vec::new();
        }
        self.hnsw
            .get_point_indexation()
            .into_iter()
            .map(|point| (point.get_origin_id(), point.get_v().to_vec()))
            .collect()
    }
}

/// A point found, as its slot and cosine similarity.
fn scored(n: Neighbour) -> (usize, f32) {
    (n.d_id, 1.0 - n.distance)
}
