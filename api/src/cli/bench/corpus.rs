//! Deterministic Markdown documents and queries for the ingestion and retrieval benches.
//!
//! Documents look like a company knowledge base: a title, sections with paragraphs and
//! bullet lists, about 5 KB, and now and then an email address, a phone number or a card
//! number for the PII screen to find. Words follow Zipf's law (see `words.rs`), so a query
//! matches a realistic share of chunks rather than all or none of them.

use std::collections::HashSet;

use super::words::{rare, COMMON, RARE_WORDS, STOP};

/// Size the generator aims at, in bytes; documents end at a paragraph a little past it.
const TARGET_BYTES: usize = 5_000;

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same corpus.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The words, by rank, with cumulative Zipf weights to draw them.
#[derive(Debug)]
pub struct Vocabulary {
    words: Vec<String>,
    /// Cumulative weights of rank^-1, over all ranks (text) and past the first few (queries).
    text: Vec<f64>,
    query: Vec<f64>,
}

impl Vocabulary {
    /// Queries skip the `query_skips` most frequent words: people search for what a document is
    /// about, and a word in nearly every chunk is closer to a stop word. The more are skipped,
    /// the fewer chunks a query matches.
    pub fn new(query_skips: usize) -> Self {
        let mut seen = HashSet::new();
        let mut words: Vec<String> = COMMON.iter().filter(|w| seen.insert(**w)).map(|w| (*w).to_owned()).collect();
        words.extend((0..RARE_WORDS).map(rare));
        let text = cumulative(words.len(), |r| 1.0 / r);
        let query = cumulative(words.len(), |r| if r as usize <= query_skips { 0.0 } else { 1.0 / r });
        Self { words, text, query }
    }

    fn draw<'a>(&'a self, weights: &[f64], rng: &mut Rng) -> &'a str {
        let target = rng.unit() * weights.last().copied().unwrap_or(0.0);
        let i = weights.partition_point(|w| *w < target).min(self.words.len() - 1);
        &self.words[i]
    }

    pub fn word(&self, rng: &mut Rng) -> &str {
        self.draw(&self.text, rng)
    }

    pub fn query_word(&self, rng: &mut Rng) -> &str {
        self.draw(&self.query, rng)
    }
}

fn cumulative(n: usize, weight: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut sum = 0.0;
    (1..=n)
        .map(|r| {
            sum += weight(r as f64);
            sum
        })
        .collect()
}

/// One sentence of 6 to 20 words, about 40% of them stop words.
fn sentence(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    let words = 6 + rng.below(15);
    for i in 0..words {
        let word = if rng.chance(0.4) { STOP[rng.below(STOP.len())] } else { vocab.word(rng) };
        if i == 0 {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push_str(". ");
}

fn words(vocab: &Vocabulary, rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| vocab.word(rng)).collect::<Vec<_>>().join(" ")
}

/// A Luhn-valid 16-digit card number in groups of four, as people paste them.
fn card(rng: &mut Rng) -> String {
    let mut digits: Vec<u32> = std::iter::once(4).chain((0..14).map(|_| rng.below(10) as u32)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { (d * 2) % 9 + u32::from(*d == 9) * 9 } else { *d })
        .sum();
    digits.push((10 - sum % 10) % 10);
    let text: String = digits.iter().filter_map(|d| char::from_digit(*d, 10)).collect();
    text.as_bytes().chunks(4).map(|g| String::from_utf8_lossy(g).into_owned()).collect::<Vec<_>>().join(" ")
}

/// Sentences carrying personal data, in about one paragraph in eight: an email address (half
/// the time), a phone number (a third), a card number (one in ten).
fn personal(rng: &mut Rng, out: &mut String) {
    if rng.chance(0.5) {
        out.push_str(&format!("Questions go to j.doe{}@example.com. ", rng.below(10_000)));
    }
    if rng.chance(0.33) {
        out.push_str(&format!("Call the desk on +44 20 7946 {:04}. ", rng.below(10_000)));
    }
    if rng.chance(0.1) {
        out.push_str(&format!("The card on file is {}. ", card(rng)));
    }
}

/// Document `i` of the corpus seeded by `seed`: its title and its Markdown.
pub fn document(vocab: &Vocabulary, seed: u64, i: u64) -> (String, String) {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let title = format!("{} {}", words(vocab, &mut rng, 3), i);
    let mut md = format!("# {title}\n\n");
    while md.len() < TARGET_BYTES {
        let n = 2 + rng.below(3);
        md.push_str(&format!("## {}\n\n", words(vocab, &mut rng, n)));
        for _ in 0..3 {
            for _ in 0..4 + rng.below(2) {
                sentence(vocab, &mut rng, &mut md);
            }
            if rng.chance(0.1) {
                personal(&mut rng, &mut md);
            }
            md.push_str("\n\n");
        }
        if rng.chance(0.4) {
            for _ in 0..3 + rng.below(2) {
                md.push_str("- ");
                let n = 3 + rng.below(6);
                md.push_str(&words(vocab, &mut rng, n));
                md.push('\n');
            }
            md.push('\n');
        }
    }
    (title, md)
}

/// Distinct queries as people type them: two or three content words, sometimes in a question
/// whose other words are all stop words (every content word must match: `websearch_to_tsquery`
/// ANDs them). Never the same query twice, so each phase of a bench can take
/// fresh ones that no cache has seen.
#[derive(Debug)]
pub struct Queries {
    rng: Rng,
    seen: HashSet<String>,
}

impl Queries {
    pub fn new(seed: u64) -> Self {
        Self { rng: Rng::new(seed), seen: HashSet::new() }
    }

    /// The next `n` queries.
    pub fn take(&mut self, vocab: &Vocabulary, n: usize) -> Vec<String> {
        let rng = &mut self.rng;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let a = vocab.query_word(rng).to_owned();
            let b = vocab.query_word(rng).to_owned();
            let query = match rng.below(4) {
                0 => format!("{a} {b}"),
                1 => format!("how do I {a} the {b}"),
                2 => format!("{a} {b} {}", vocab.query_word(rng)),
                _ => format!("what is the {a} for {b}"),
            };
            if a != b && self.seen.insert(query.clone()) {
                out.push(query);
            }
        }
        out
    }
}
