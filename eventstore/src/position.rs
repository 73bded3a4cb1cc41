//! Global positions that readers can follow without ever skipping a late commit.
//!
//! A plain sequence is not enough: transaction A takes position 5, B takes 6, B commits first,
//! a reader returns 6 and moves its checkpoint past 5, then A commits and 5 is never read.
//! Taking a global lock around appends would fix that and serialise every writer.
//!
//! Instead a position is `(transaction id << 16) | ordinal`, where the transaction id is the
//! appending transaction's `pg_current_xact_id()` (64-bit, never wraps) and the ordinal numbers
//! the events inside it. Readers return only events whose transaction id is below
//! `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below that horizon has
//! committed or aborted, and every transaction that could still commit has a larger id, so all
//! positions it will ever write are larger than anything already returned. Concurrent appends
//! never wait for each other (only two appends to the same stream conflict, by design), and a
//! long transaction only delays readers; it is never skipped.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Bits of a position that number the events of one transaction.
pub const ORDINAL_BITS: u32 = 16;
/// The most events one append (one transaction) may write.
pub const MAX_EVENTS_PER_APPEND: usize = (1 << ORDINAL_BITS) - 1;

/// A point in the global order of all events. `Position::START` precedes every event.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Position(i64);

impl Position {
    pub const START: Position = Position(0);

    /// The position of the `ordinal`-th event (0-based) written by transaction `xid`.
    pub fn new(xid: i64, ordinal: usize) -> Self {
        debug_assert!(ordinal <= MAX_EVENTS_PER_APPEND);
        Self((xid << ORDINAL_BITS) | ordinal as i64)
    }

    pub fn from_raw(raw: i64) -> Self {
        Self(raw)
    }

    pub fn raw(self) -> i64 {
        self.0
    }

    /// The first position a transaction `xid` could write: readers stop below this for the
    /// oldest transaction still in progress.
    pub fn horizon(xmin: i64) -> Self {
        Self(xmin << ORDINAL_BITS)
    }
}

impl fmt::Debug for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Position({})", self.0)
    }
}

/// Honours width and alignment, so positions line up in tables.
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Position {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<i64>().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_transaction_then_ordinal() {
        assert!(Position::new(7, 65_535) < Position::new(8, 0));
        assert!(Position::new(8, 0) < Position::new(8, 1));
        assert!(Position::new(8, 65_535) < Position::horizon(9));
        assert_eq!(Position::horizon(9), Position::new(9, 0));
    }
}
