//! One project's vectors at one version: which chunk each slot holds and whether it is still
//! visible, searched by an exact scan (small projects) or through the graph (large ones).
//!
//! A snapshot never changes once published. The next one shares what it can: the exact rows'
//! older segments, or the graph itself, which only grows; points added for a later snapshot
//! have slots past this one's and so are invisible to it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use uuid::Uuid;

use super::exact::{best, normalised, Rows};
use super::graph::Graph;
use super::load::Change;

/// A chunk: its document and ordinal.
pub type ChunkKey = (Uuid, i32);

/// Most work per query (visible rows × dimension) left to the exact scan. `ctxi bench vectors`
/// measured the scan at about 0.13 ns per value and the graph's search at 1.4–3.4 ms (384–768
/// values), so below 16M values (about 2 ms) the scan is kept, exact and within a millisecond
/// of the graph: 16M is 125k rows of 128 values, 42k of 384, 21k of 768.
pub const EXACT_MAX_WORK: usize = 16_000_000;
/// Width of the graph search's bottom layer (`ef`), at least. The graph's scores are exact
/// cosines, so only this width decides recall: on `ctxi bench vectors` (100k × 384, clustered
/// synthetic vectors) 64 kept recall@20 at 1.000 with a search p50 of 1.37 ms, against 2.88 ms
/// at 128 (both with hnsw_rs's filtered search, since replaced: see `Graph::nearest`); real
/// embeddings may need it wider.
const EF_SEARCH: usize = 64;
/// Share of dead slots (replaced or erased) past which the next update compacts.
const MAX_DEAD_SHARE: f64 = 0.25;
/// Exact rows come in a segment per update; past this many they are merged.
const MAX_SEGMENTS: usize = 32;

#[derive(Debug, Clone, Default)]
struct Slots {
    keys: Vec<ChunkKey>,
    live: Vec<bool>,
    /// The visible slot of each chunk.
    slot_of: HashMap<ChunkKey, usize>,
    dead: usize,
}

impl Slots {
    fn visible(&self, slot: usize) -> bool {
        self.live.get(slot).copied().unwrap_or(false)
    }

    /// A new slot for `key`; the one it had before, if any, dies.
    fn add(&mut self, key: ChunkKey) -> usize {
        let slot = self.keys.len();
        self.keys.push(key);
        self.live.push(true);
        if let Some(old) = self.slot_of.insert(key, slot) {
            self.live[old] = false;
            self.dead += 1;
        }
        slot
    }

    /// Dead filler up to `len` slots: the graph may hold points of an update that never
    /// finished, and their slots must not be reused.
    fn pad_to(&mut self, len: usize) {
        while self.keys.len() < len {
            self.keys.push((Uuid::nil(), -1));
            self.live.push(false);
            self.dead += 1;
        }
    }

    fn erase(&mut self, documents: &HashSet<Uuid>) {
        let (live, dead) = (&mut self.live, &mut self.dead);
        self.slot_of.retain(|(document, _), slot| {
            let erased = documents.contains(document);
            if erased {
                live[*slot] = false;
                *dead += 1;
            }
            !erased
        });
    }

    fn visible_count(&self) -> usize {
        self.keys.len() - self.dead
    }
}

#[derive(Debug, Clone)]
enum Search {
    Exact(Rows),
    Graph(Arc<Graph>),
}

/// One project's vectors as of `version`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    version: i64,
    loaded: bool,
    dimension: usize,
    slots: Slots,
    search: Search,
    exact_max_work: usize,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self::empty(EXACT_MAX_WORK)
    }
}

impl Snapshot {
    /// Nothing loaded yet; the graph takes over past `exact_max_work` (rows × dimension).
    pub fn empty(exact_max_work: usize) -> Self {
        Self {
            version: 0,
            loaded: false,
            dimension: 0,
            slots: Slots::default(),
            search: Search::Exact(Rows::new(0)),
            exact_max_work,
        }
    }

    /// The same snapshot with another limit for the exact scan: 0 makes [`Snapshot::rebuilt`]
    /// build a graph however few the vectors.
    pub fn with_exact_max_work(mut self, exact_max_work: usize) -> Self {
        self.exact_max_work = exact_max_work;
        self
    }

    /// Most work per query (rows × dimension) left to the exact scan.
    pub fn exact_max_work(&self) -> usize {
        self.exact_max_work
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    /// Whether the project's vectors have been read at all.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// Visible chunks.
    pub fn len(&self) -> usize {
        self.slots.visible_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Whether searches go through the graph.
    pub fn approximate(&self) -> bool {
        matches!(self.search, Search::Graph(_))
    }

    /// The `k` chunks most similar to `query` by cosine, best first. A query of another
    /// dimension than the project's finds nothing.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(ChunkKey, f32)> {
        if self.dimension == 0 || query.len() != self.dimension || k == 0 {
            return Vec::new();
        }
        let query = normalised(query);
        let visible = |slot: usize| self.slots.visible(slot);
        let found = match &self.search {
            Search::Exact(rows) => rows.nearest(&query, k, visible),
            Search::Graph(graph) => best(graph.nearest(&query, k, EF_SEARCH.max(k), &visible), k),
        };
        found.into_iter().map(|(slot, score)| (self.slots.keys[slot], score)).collect()
    }

    /// This snapshot with `change` applied: new and replacing rows get new slots (the rows they
    /// replace die), erased documents' slots die. On the graph, new points are inserted into
    /// the shared graph, invisible to this snapshot.
    pub fn apply(&self, change: Change) -> Snapshot {
        let mut next = self.clone();
        next.version = self.version.max(change.version);
        next.loaded = true;
        if next.dimension == 0 {
            next.dimension = change.rows.first().map_or(0, |(_, v)| v.len());
            next.search = Search::Exact(Rows::new(next.dimension));
        }
        let dimension = next.dimension;
        let rows: Vec<(ChunkKey, Vec<f32>)> = change
            .rows
            .into_iter()
            .filter(|(_, v)| dimension > 0 && v.len() == dimension)
            .map(|(key, v)| (key, normalised(&v)))
            .collect();
        match &mut next.search {
            Search::Exact(stored) => {
                rows.iter().for_each(|(key, _)| {
                    next.slots.add(*key);
                });
                stored.push(rows.into_iter().flat_map(|(_, v)| v).collect());
            }
            Search::Graph(graph) => {
                next.slots.pad_to(graph.len());
                let points: Vec<(&[f32], usize)> =
                    rows.iter().map(|(key, v)| (v.as_slice(), next.slots.add(*key))).collect();
                graph.insert(&points);
            }
        }
        if !change.erased.is_empty() {
            next.slots.erase(&change.erased.into_iter().collect());
        }
        next
    }

    /// Whether [`Snapshot::rebuilt`] is due: the exact scan grew past its limit, the graph
    /// shrank well below it, or too many slots are dead.
    pub fn needs_rebuild(&self) -> bool {
        let work = self.len() * self.dimension;
        let dead_share = self.slots.dead as f64 / self.slots.keys.len().max(1) as f64;
        match &self.search {
            Search::Exact(rows) => {
                work > self.exact_max_work || dead_share > MAX_DEAD_SHARE || rows.segments() > MAX_SEGMENTS
            }
            Search::Graph(_) => work < self.exact_max_work / 2 || dead_share > MAX_DEAD_SHARE,
        }
    }

    /// The same visible vectors, compacted: no dead slots, exact rows in one segment, or a new
    /// graph when they are past the exact scan's limit. The slow step (building a graph);
    /// searches go on against `self` meanwhile.
    pub fn rebuilt(&self) -> Snapshot {
        let owned: Vec<(usize, Vec<f32>)>;
        let visible: Vec<(ChunkKey, &[f32])> = match &self.search {
            Search::Exact(rows) => rows
                .iter()
                .enumerate()
                .filter(|(slot, _)| self.slots.visible(*slot))
                .map(|(slot, row)| (self.slots.keys[slot], row))
                .collect(),
            Search::Graph(graph) => {
                owned = graph.points();
                owned
                    .iter()
                    .filter(|(slot, _)| self.slots.visible(*slot))
                    .map(|(slot, row)| (self.slots.keys[*slot], row.as_slice()))
                    .collect()
            }
        };
        let mut slots = Slots::default();
        let search = if visible.len() * self.dimension > self.exact_max_work {
            let graph = Graph::new(visible.len());
            let points: Vec<(&[f32], usize)> = visible.iter().map(|(key, row)| (*row, slots.add(*key))).collect();
            graph.insert(&points);
            Search::Graph(Arc::new(graph))
        } else {
            let mut rows = Rows::new(self.dimension);
            rows.push(
                visible
                    .iter()
                    .flat_map(|(key, row)| {
                        slots.add(*key);
                        row.iter().copied()
                    })
                    .collect(),
            );
            Search::Exact(rows)
        };
        Snapshot { slots, search, ..self.clone_header() }
    }

    /// Version, dimension and policy, without the vectors.
    fn clone_header(&self) -> Snapshot {
        Snapshot {
            version: self.version,
            loaded: self.loaded,
            dimension: self.dimension,
            slots: Slots::default(),
            search: Search::Exact(Rows::new(self.dimension)),
            exact_max_work: self.exact_max_work,
        }
    }
}
