//! Known stream heads: the hash of a stream's event at a given version.
//!
//! An append that expects version v must chain onto the hash of event v. Events never change,
//! so "event v of this stream has hash h" stays true forever: when this process has seen it
//! (it appended or read that event), the append passes it along and `ctxi_append` skips the
//! head lookup. A concurrent append of v + 1 is still refused by the unique (stream, sequence)
//! key. Only an expected version equal to the remembered one is ever used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::event::{ExpectedVersion, StreamId};
use crate::hash::{Hash, GENESIS};

/// Bound on remembered heads; past it the map starts over.
const LIMIT: usize = 100_000;

#[derive(Debug, Clone, Default)]
pub(super) struct KnownHeads(Arc<Mutex<HashMap<StreamId, (u64, Hash)>>>);

impl KnownHeads {
    /// The hash to chain onto when appending to `stream` at `expected`, if known.
    pub fn prev_hash(&self, stream: &StreamId, expected: ExpectedVersion) -> Option<Hash> {
        match expected {
            ExpectedVersion::NoStream => Some(GENESIS),
            ExpectedVersion::Exactly(v) => {
                let heads = self.0.lock().unwrap_or_else(|p| p.into_inner());
                heads.get(stream).filter(|(known, _)| *known == v).map(|(_, hash)| *hash)
            }
            ExpectedVersion::Any => None,
        }
    }

    pub fn remember(&self, stream: &StreamId, version: u64, hash: Hash) {
        let mut heads = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if heads.len() >= LIMIT && !heads.contains_key(stream) {
            heads.clear();
        }
        heads.insert(stream.clone(), (version, hash));
    }
}
