//! An immutable inverted index over a run of slots: for each lexeme, the slots of the chunks
//! holding it, in slot order, with its positions in each.

use std::collections::HashMap;

use super::parse::Tsvector;
use super::rank::{cover_density, Entry, Position};
use super::Prepared;
use crate::retrieval::vectors::ChunkKey;

/// A chunk as read from the read model: its key and its `tsvector`.
pub type Indexed = (ChunkKey, Tsvector);

#[derive(Debug, Default)]
pub struct Segment {
    /// The first slot; the chunks hold `base..base + keys.len()`.
    base: u32,
    keys: Vec<ChunkKey>,
    terms: HashMap<Box<str>, Postings>,
}

/// One lexeme's chunks: `slots[i]` holds it at `positions[ends[i - 1]..ends[i]]`.
#[derive(Debug, Default)]
struct Postings {
    slots: Vec<u32>,
    ends: Vec<u32>,
    positions: Vec<Position>,
}

impl Postings {
    fn push(&mut self, slot: u32, positions: &[Position]) {
        self.slots.push(slot);
        self.positions.extend_from_slice(positions);
        self.ends.push(self.positions.len() as u32);
    }

    /// Spare capacity given back: built by pushing, the lists would hold up to twice their
    /// length for as long as the segment lives.
    fn shrink(&mut self) {
        self.slots.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.positions.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 4 + self.ends.capacity() * 4 + self.positions.capacity() * size_of::<Position>()
    }

    fn positions(&self, i: usize) -> &[Position] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.positions[start..self.ends[i] as usize]
    }
}

impl Segment {
    /// Chunks given slots from `base` on, in the order given.
    pub fn build(base: u32, chunks: Vec<Indexed>) -> Self {
        let mut segment = Self { base, keys: Vec::with_capacity(chunks.len()), terms: HashMap::new() };
        // Each chunk's text is dropped once read: the chunks never exist twice in full.
        for (key, tsvector) in chunks {
            let slot = segment.end();
            segment.keys.push(key);
            let terms = &mut segment.terms;
            tsvector.each_lexeme(|lexeme, positions| match terms.get_mut(lexeme) {
                Some(postings) => postings.push(slot, positions),
                None => {
                    let mut postings = Postings::default();
                    postings.push(slot, positions);
                    terms.insert(lexeme.into(), postings);
                }
            });
        }
        segment.shrunk()
    }

    /// The chunks of `segments` (consecutive, oldest first) for which `keep(slot)` holds, in
    /// one segment with slots from `base` on: the same slots when all are kept from the first
    /// one's base, else renumbered in order.
    pub fn merged(segments: &[&Segment], base: u32, keep: impl Fn(u32) -> bool) -> Self {
        let first = segments.first().map_or(0, |s| s.base);
        // The new slot of each old one (offset by the first), `None` for those dropped.
        let mut renumbered: Vec<Option<u32>> = Vec::new();
        let mut keys = Vec::new();
        for segment in segments {
            for (i, key) in segment.keys.iter().enumerate() {
                let kept = keep(segment.base + i as u32);
                renumbered.push(kept.then(|| base + keys.len() as u32));
                if kept {
                    keys.push(*key);
                }
            }
        }
        let mut terms: HashMap<Box<str>, Postings> = HashMap::new();
        for segment in segments {
            for (lexeme, postings) in &segment.terms {
                let mut merged = terms.remove(lexeme.as_ref()).unwrap_or_default();
                for (i, slot) in postings.slots.iter().enumerate() {
                    if let Some(new) = renumbered[(slot - first) as usize] {
                        merged.push(new, postings.positions(i));
                    }
                }
                if !merged.slots.is_empty() {
                    terms.insert(lexeme.clone(), merged);
                }
            }
        }
        Self { base, keys, terms }.shrunk()
    }

    fn shrunk(mut self) -> Self {
        self.keys.shrink_to_fit();
        self.terms.shrink_to_fit();
        self.terms.values_mut().for_each(Postings::shrink);
        self
    }

    /// Bytes this segment holds on the heap, about (the hash table's own overhead aside).
    pub fn heap_bytes(&self) -> usize {
        let entry = size_of::<(Box<str>, Postings)>();
        self.keys.capacity() * size_of::<ChunkKey>()
            + self.terms.capacity() * entry
            + self.terms.iter().map(|(lexeme, postings)| lexeme.len() + postings.heap_bytes()).sum::<usize>()
    }

    pub fn base(&self) -> u32 {
        self.base
    }

    /// The slot after the last.
    pub fn end(&self) -> u32 {
        self.base + self.keys.len() as u32
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The chunks at `slots` in this segment, with their slots.
    pub fn keys(&self) -> impl Iterator<Item = (u32, &ChunkKey)> {
        self.keys.iter().enumerate().map(|(i, key)| (self.base + i as u32, key))
    }

    /// Scores every chunk that matches `query` and that `visible` lets through into `out`.
    /// When the query has lexemes every match must hold, the rarest of them drives the walk
    /// and the other lists skip ahead to each of its chunks; otherwise (only `or`s) the lists
    /// are walked together in slot order. Either way each matching chunk is met once, with
    /// all its query lexemes.
    pub fn rank(&self, query: &Prepared, visible: &dyn Fn(u32, &ChunkKey) -> bool, out: &mut Vec<(f32, ChunkKey)>) {
        let mut lists: Vec<(usize, &Postings)> = Vec::with_capacity(query.lexemes.len());
        for (term, lexeme) in query.lexemes.iter().enumerate() {
            match self.terms.get(lexeme.as_str()) {
                Some(postings) => lists.push((term, postings)),
                // A lexeme every match needs is in none of this segment's chunks.
                None if query.required & (1 << term) != 0 => return,
                None => {}
            }
        }
        let driver = lists
            .iter()
            .filter(|(term, _)| query.required & (1 << term) != 0)
            .min_by_key(|(_, postings)| postings.slots.len())
            .map(|(_, postings)| *postings);
        let mut cursors = vec![0usize; lists.len()];
        let mut doc: Vec<Entry> = Vec::new();
        let mut visit = |slot: u32, cursors: &mut [usize]| {
            let mut present = 0u64;
            doc.clear();
            for ((term, postings), cursor) in lists.iter().zip(cursors.iter_mut()) {
                *cursor = seek(&postings.slots, *cursor, slot);
                if postings.slots.get(*cursor) == Some(&slot) {
                    present |= 1 << term;
                    let order = query.order[*term];
                    doc.extend(postings.positions(*cursor).iter().map(|&pos| Entry::new(pos, *term, order)));
                    *cursor += 1;
                }
            }
            let key = &self.keys[(slot - self.base) as usize];
            if query.matches(present) && visible(slot, key) {
                doc.sort_unstable();
                out.push((cover_density(&doc, |present| query.matches(present)), *key));
            }
        };
        match driver {
            Some(driver) => {
                for &slot in &driver.slots {
                    visit(slot, &mut cursors);
                }
            }
            None => {
                let next = |cursors: &[usize]| {
                    lists.iter().zip(cursors).filter_map(|((_, p), &c)| p.slots.get(c)).min().copied()
                };
                while let Some(slot) = next(&cursors) {
                    visit(slot, &mut cursors);
                }
            }
        }
    }
}

/// The first index at or after `from` whose slot is not below `slot`: doubling steps, then a
/// binary search, so that skipping far is cheap and so is stepping by one.
fn seek(slots: &[u32], from: usize, slot: u32) -> usize {
    let (mut low, mut high, mut step) = (from, from, 1);
    while high < slots.len() && slots[high] < slot {
        low = high + 1;
        high += step;
        step *= 2;
    }
    let high = high.min(slots.len());
    low + slots[low..high].partition_point(|&s| s < slot)
}

#[cfg(test)]
mod tests {
    use super::seek;

    #[test]
    fn seek_finds_the_first_slot_not_below_the_one_asked_for() {
        let slots: Vec<u32> = (0..100).map(|i| i * 3).collect();
        for from in [0, 1, 7, 50, 99, 100] {
            for slot in [0, 1, 3, 4, 150, 297, 298, 400] {
                let expected = from.max(slots.partition_point(|&s| s < slot));
                assert_eq!(seek(&slots, from, slot), expected, "from {from}, slot {slot}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }
}
