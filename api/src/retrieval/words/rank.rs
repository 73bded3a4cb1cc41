//! `ts_rank_cd` (cover density, default weights, no normalisation) for `&`/`|` queries,
//! computed as PostgreSQL 15's `calc_rank_cd` computes it, to the last bit of its `float4`.
//!
//! A chunk's query words, by position, form its "doc representation"; a cover is a shortest
//! run of it that satisfies the query, found by scanning forward to the first satisfying end
//! and back from there to the nearest satisfying start. Each cover adds the harmonic mean of
//! its words' weights divided by one plus the words inside it that are not query words.

/// PostgreSQL's `WordEntryPos`: the position in the low 14 bits, the weight (D 0 … A 3) in the
/// top two.
pub type Position = u16;

/// `ts_rank_cd`'s default weights for D, C, B, A, as the `float4`s PostgreSQL holds them.
const WEIGHTS: [f32; 4] = [0.1, 0.2, 0.4, 1.0];

fn place(pos: Position) -> u16 {
    pos & 0x3FFF
}

fn weight(pos: Position) -> usize {
    usize::from(pos >> 14)
}

/// A query tree over distinct lexemes (`Term` indexes them).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Term(usize),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
}

impl Node {
    /// Whether the lexemes in `present` (bit `i` for term `i`) satisfy the query.
    pub fn matches(&self, present: u64) -> bool {
        match self {
            Node::Term(i) => present & (1 << i) != 0,
            Node::And(a, b) => a.matches(present) && b.matches(present),
            Node::Or(a, b) => a.matches(present) || b.matches(present),
        }
    }

    /// The terms every match holds: both sides' of an `&`, those common to an `|`'s sides.
    pub fn required(&self) -> u64 {
        match self {
            Node::Term(i) => 1 << i,
            Node::And(a, b) => a.required() | b.required(),
            Node::Or(a, b) => a.required() & b.required(),
        }
    }
}

/// One entry of the doc representation: a position of a query lexeme. `order` is the
/// lexeme's rank in bytewise order, PostgreSQL's tie-break between lexemes at one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    place: u16,
    weight: u8,
    order: u8,
    /// The query term's bit.
    term: u64,
}

impl Entry {
    pub fn new(pos: Position, term: usize, order: usize) -> Self {
        Self { place: place(pos), weight: weight(pos) as u8, order: order as u8, term: 1 << term }
    }
}

/// The cover-density rank of a chunk whose query-lexeme positions are `doc`, sorted (the
/// order [`Entry`] sorts in), for the query that `matches` the lexemes present. A chunk
/// without any scores 0, as in PostgreSQL.
pub fn cover_density(doc: &[Entry], matches: impl Fn(u64) -> bool) -> f32 {
    let inverse = WEIGHTS.map(|w| 1.0 / f64::from(w));
    let mut total = 0.0f64;
    let mut start = 0;
    loop {
        let mut present = 0;
        let Some(end) = (start..doc.len()).find(|&i| {
            present |= doc[i].term;
            matches(present)
        }) else {
            break;
        };
        // Scanning back from the end always finds a start: the same entries satisfied the
        // query going forward, and `&`/`|` queries cannot be unsatisfied by more words.
        present = 0;
        let Some(begin) = (start..=end).rev().find(|&i| {
            present |= doc[i].term;
            matches(present)
        }) else {
            break;
        };
        let inverse_sum = doc[begin..=end].iter().fold(0.0, |sum, e| sum + inverse[usize::from(e.weight)]);
        let words = (end - begin) as i64;
        let cover_weight = (words + 1) as f64 / inverse_sum;
        let mut noise = (i64::from(doc[end].place) - i64::from(doc[begin].place)) - words;
        if noise < 0 {
            // Positions stop at 16383: past it, PostgreSQL guesses half the cover is noise.
            noise = words / 2;
        }
        total += cover_weight / (1 + noise) as f64;
        start = begin + 1;
    }
    total as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(entries: &[(u16, usize)]) -> Vec<Entry> {
        let mut doc: Vec<Entry> = entries.iter().map(|&(pos, term)| Entry::new(pos, term, term)).collect();
        doc.sort();
        doc
    }

    fn and() -> Node {
        Node::And(Box::new(Node::Term(0)), Box::new(Node::Term(1)))
    }

    #[test]
    fn one_word_scores_its_weight_per_occurrence() {
        assert_eq!(cover_density(&doc(&[(3, 0), (9, 0)]), |p| Node::Term(0).matches(p)), 0.2);
        assert_eq!(cover_density(&doc(&[(3 | 3 << 14, 0)]), |p| Node::Term(0).matches(p)), 1.0);
        assert_eq!(cover_density(&[], |p| Node::Term(0).matches(p)), 0.0);
    }

    #[test]
    fn words_side_by_side_outrank_words_apart() {
        let near = cover_density(&doc(&[(1, 0), (2, 1)]), |p| and().matches(p));
        let far = cover_density(&doc(&[(1, 0), (5, 1)]), |p| and().matches(p));
        assert_eq!(near, 0.1);
        assert_eq!(far, (0.1f64 / 4.0) as f32);
        assert_eq!(cover_density(&doc(&[(1, 0)]), |p| and().matches(p)), 0.0, "no cover without both words");
    }

    #[test]
    fn overlapping_covers_each_count() {
        // a b a: covers [a b] and [b a].
        let score = cover_density(&doc(&[(1, 0), (2, 1), (3, 0)]), |p| and().matches(p));
        assert_eq!(score, 0.2);
    }
}
