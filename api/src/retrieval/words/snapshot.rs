//! One project's full-text index at one version.
//!
//! A snapshot never changes once published. The next one shares its segments: an update adds
//! a segment of the documents it indexed and marks the slots of the documents it erased (or
//! indexed again) dead. Segments merge like a binary counter (the newest two when the older
//! is no larger), so there are O(log n) of them and each chunk is copied O(log n) times;
//! past a quarter of dead slots everything is compacted into one segment.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use uuid::Uuid;

use super::load::Change;
use super::segment::Segment;
use super::Prepared;
use crate::retrieval::vectors::ChunkKey;

/// Share of dead slots past which an update compacts.
const MAX_DEAD_SHARE: f64 = 0.25;

#[derive(Debug, Default)]
pub struct Snapshot {
    /// The position of the last change to the project's chunks this snapshot holds; `None`
    /// before the first load.
    version: Option<i64>,
    segments: Vec<Arc<Segment>>,
    live: Vec<bool>,
    dead: usize,
}

/// Where each indexed document's chunks are: kept by the one applying updates, beside the
/// snapshots, since only updates need it.
pub type Documents = HashMap<Uuid, Range<u32>>;

impl Snapshot {
    pub fn version(&self) -> Option<i64> {
        self.version
    }

    pub fn len(&self) -> usize {
        self.live.len() - self.dead
    }

    /// Bytes this snapshot holds on the heap, about (its segments are shared with the
    /// snapshots before and after it).
    pub fn heap_bytes(&self) -> usize {
        self.live.capacity() + self.segments.iter().map(|s| s.heap_bytes()).sum::<usize>()
    }

    #[cfg(test)]
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// This snapshot with `change` applied; `documents` moves along.
    pub fn apply(&self, change: Change, documents: &mut Documents) -> Snapshot {
        let mut live = self.live.clone();
        let mut dead = self.dead;
        for document in change.erased.iter().chain(change.chunks.iter().map(|((document, _), _)| document)) {
            if let Some(slots) = documents.remove(document) {
                for slot in slots {
                    live[slot as usize] = false;
                    dead += 1;
                }
            }
        }
        let base = live.len() as u32;
        let added = Segment::build(base, change.chunks);
        // A document's chunks come together (`Change` orders them), so they take a range.
        for (slot, (document, _)) in added.keys() {
            documents.entry(*document).or_insert(slot..slot).end = slot + 1;
        }
        live.resize(added.end() as usize, true);
        let mut segments = self.segments.clone();
        if added.len() > 0 {
            segments.push(Arc::new(added));
        }
        while let [.., older, newer] = segments.as_slice() {
            if older.len() > newer.len() {
                break;
            }
            let merged = Segment::merged(&[older, newer], older.base(), |_| true);
            segments.truncate(segments.len() - 2);
            segments.push(Arc::new(merged));
        }
        let next = Snapshot { version: Some(change.version), segments, live, dead };
        if dead as f64 > MAX_DEAD_SHARE * next.live.len() as f64 {
            next.compacted(documents)
        } else {
            next
        }
    }

    /// The live chunks alone, in one segment from slot 0.
    fn compacted(&self, documents: &mut Documents) -> Snapshot {
        let segments: Vec<&Segment> = self.segments.iter().map(AsRef::as_ref).collect();
        let segment = Segment::merged(&segments, 0, |slot| self.live[slot as usize]);
        documents.clear();
        for (slot, (document, _)) in segment.keys() {
            documents.entry(*document).or_insert(slot..slot).end = slot + 1;
        }
        let live = vec![true; segment.len()];
        Snapshot { version: self.version, segments: vec![Arc::new(segment)], live, dead: 0 }
    }

    /// The `k` best chunks for `query` among the documents in `allowed` (all if `None`), best
    /// first: by score, then document and ordinal, as the SQL ranking orders them.
    pub fn top(&self, query: &Prepared, k: usize, allowed: Option<&HashSet<Uuid>>) -> Vec<(ChunkKey, f32)> {
        let visible =
            |slot: u32, key: &ChunkKey| self.live[slot as usize] && allowed.is_none_or(|a| a.contains(&key.0));
        let mut scored = Vec::new();
        for segment in &self.segments {
            segment.rank(query, &visible, &mut scored);
        }
        let order = |a: &(f32, ChunkKey), b: &(f32, ChunkKey)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > k {
            scored.select_nth_unstable_by(k, order);
            scored.truncate(k);
        }
        scored.sort_unstable_by(order);
        scored.into_iter().map(|(score, key)| (key, score)).collect()
    }
}
