//! The hash chain: tamper evidence for the append-only log.
//!
//! Each event stores the hash of its stream predecessor (32 zero bytes for a stream's first
//! event) and its own SHA-256, in two steps, where `u32`/`u64` are big-endian and `lp(x)` is
//! `u32(len(x)) || x`:
//!
//! ```text
//! content = SHA-256(lp(aggregate_type) || lp(aggregate_id) || lp(event_type) || lp(event_version)
//!                   || lp(metadata JSON text) || lp(payload JSON text, sealed as stored))
//! hash    = SHA-256("ctxi/event/v1" || prev_hash[32] || u64(position) || u64(sequence) || content[32])
//! ```
//!
//! The application computes `content` (the bulk of the bytes); `ctxi_append` computes `hash`
//! in the database, where the position is assigned. Verification recomputes both.
//!
//! The chain runs per stream, not through the global order, because a global chain would make
//! every append wait for the previous one (a global write lock by another name). Verification
//! walks the global order and checks each stream's chain and contiguous sequences, so editing,
//! reordering or removing any event that has a successor is detected. The hash covers sealed
//! payloads, so crypto-shredding a subject leaves every hash valid.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The predecessor hash of a stream's first event.
pub const GENESIS: Hash = [0; 32];

const DOMAIN_TAG: &[u8] = b"ctxi/event/v1";

/// The fields of a stored event that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct HashedFields<'a> {
    pub prev_hash: &'a Hash,
    pub position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub metadata: &'a str,
    pub payload: &'a str,
}

impl HashedFields<'_> {
    pub fn hash(&self) -> Hash {
        chain_hash(self.prev_hash, self.position, self.sequence, &self.content_digest())
    }

    /// The digest of everything but the chain and the position.
    pub fn content_digest(&self) -> Hash {
        content_digest(
            self.aggregate_type,
            self.aggregate_id,
            self.event_type,
            self.event_version,
            self.metadata,
            self.payload,
        )
    }
}

/// `content` of the encoding above.
pub fn content_digest(
    aggregate_type: &str,
    aggregate_id: &str,
    event_type: &str,
    event_version: &str,
    metadata: &str,
    payload: &str,
) -> Hash {
    let mut h = Sha256::new();
    for text in [aggregate_type, aggregate_id, event_type, event_version, metadata, payload] {
        length_prefixed(&mut h, text);
    }
    h.finalize().into()
}

/// `hash` of the encoding above.
pub fn chain_hash(prev_hash: &Hash, position: i64, sequence: i64, content: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    h.update(prev_hash);
    h.update(position.to_be_bytes());
    h.update(sequence.to_be_bytes());
    h.update(content);
    h.finalize().into()
}

fn length_prefixed(h: &mut Sha256, text: &str) {
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    h.update(len.to_be_bytes());
    h.update(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(payload: &'a str, prev: &'a Hash) -> HashedFields<'a> {
        HashedFields {
            prev_hash: prev,
            position: 1 << 16,
            aggregate_type: "tenant",
            aggregate_id: "t1",
            sequence: 1,
            event_type: "TenantCreated",
            event_version: "1",
            metadata: "{}",
            payload,
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let base = fields("{\"a\":1}", &GENESIS).hash();
        assert_ne!(base, fields("{\"a\":2}", &GENESIS).hash());
        assert_ne!(base, fields("{\"a\":1}", &[1; 32]).hash());
        let mut moved = fields("{\"a\":1}", &GENESIS);
        moved.position += 1;
        assert_ne!(base, moved.hash());
    }

    #[test]
    fn length_prefixes_keep_field_boundaries_apart() {
        let mut a = fields("{}", &GENESIS);
        a.aggregate_type = "ab";
        a.aggregate_id = "c";
        let mut b = fields("{}", &GENESIS);
        b.aggregate_type = "a";
        b.aggregate_id = "bc";
        assert_ne!(a.hash(), b.hash());
    }
}
