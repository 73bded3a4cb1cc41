//! A result's excerpt: the chunk's best one or two stretches of words, the query's words in
//! `<mark>`, everything else HTML-escaped (safe to insert as HTML).
//!
//! Made here rather than by PostgreSQL's `ts_headline`, which parses and stems the whole
//! chunk again (~0.4 ms a chunk of 1,000 characters; at 200 retrievals a second of five
//! results, 0.4 of PostgreSQL's cores). A word matches when its Snowball English stem (the
//! algorithm behind PostgreSQL's `english_stem`, checked against it in the tests) is one of
//! the query's lexemes; stems only change endings, so only words starting as a lexeme does
//! are stemmed.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

/// Most words in a stretch, as `ts_headline`'s `MaxWords` was.
const STRETCH_WORDS: usize = 30;
/// Most stretches, joined by [`DELIMITER`].
const STRETCHES: usize = 2;
const DELIMITER: &str = " … ";
/// Characters of a chunk shown when none of its words match.
const PLAIN_CHARS: usize = 240;

/// The query's lexemes, ready to mark a chunk's words.
pub struct Highlighter {
    lexemes: HashSet<String>,
    /// First characters of the lexemes: a word starting otherwise cannot match.
    initials: HashSet<char>,
    stemmer: Stemmer,
}

impl Highlighter {
    pub fn new(lexemes: &[String]) -> Self {
        Self {
            lexemes: lexemes.iter().cloned().collect(),
            initials: lexemes.iter().filter_map(|l| l.chars().next()).collect(),
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The excerpt of `text`.
    pub fn excerpt(&self, text: &str) -> String {
        let words = self.words(text);
        let Some(first) = best_stretch(&words, None) else {
            return escape(&text.chars().take(PLAIN_CHARS).collect::<String>());
        };
        let mut stretches = vec![first];
        if let Some(second) = best_stretch(&words, Some(first)).filter(|_| STRETCHES > 1) {
            stretches.push(second);
        }
        stretches.sort_unstable();
        let parts: Vec<String> = stretches.into_iter().map(|s| render(text, &words[s.0..s.1])).collect();
        parts.join(DELIMITER)
    }

    /// The text's words (runs of letters and digits, as PostgreSQL's parser splits words at
    /// apostrophes and hyphens) with whether each matches.
    fn words(&self, text: &str) -> Vec<Word> {
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push(Word { start: s, end: i, matched: self.matches(&text[s..i]) });
                    start = None;
                }
                _ => {}
            }
        }
        words
    }

    fn matches(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        lower.chars().next().is_some_and(|c| self.initials.contains(&c))
            && self.lexemes.contains(self.stemmer.stem(&lower).as_ref())
    }
}

#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    matched: bool,
}

/// The window of at most [`STRETCH_WORDS`] words with the most matches (the earliest of
/// equals), as `(first, past the last)`, outside `apart` if given; `None` if it holds none.
fn best_stretch(words: &[Word], apart: Option<(usize, usize)>) -> Option<(usize, usize)> {
    let usable = |i: usize| apart.is_none_or(|(a, b)| i < a || i >= b);
    let mut best: Option<((usize, usize), usize)> = None;
    for start in (0..words.len()).filter(|&i| words[i].matched && usable(i)) {
        // Windows start a few words before a match, so it reads in context.
        let from = (start.saturating_sub(3)..=start).find(|&i| (i..=start).all(usable)).unwrap_or(start);
        let mut to = from;
        while to < words.len() && to - from < STRETCH_WORDS && usable(to) {
            to += 1;
        }
        let count = words[from..to].iter().filter(|w| w.matched).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some(((from, to), count));
        }
    }
    best.map(|(stretch, _)| stretch)
}

/// The text from the first word to the last, escaped, the matches marked.
fn render(text: &str, words: &[Word]) -> String {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return String::new();
    };
    let mut out = String::new();
    let mut at = first.start;
    for word in words.iter().filter(|w| w.matched) {
        out.push_str(&escape(&text[at..word.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[word.start..word.end]));
        out.push_str("</mark>");
        at = word.end;
    }
    out.push_str(&escape(&text[at..last.end]));
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    // A test without its database cannot run.
    #![allow(clippy::expect_used)]

    use super::*;

    fn highlighter(lexemes: &[&str]) -> Highlighter {
        Highlighter::new(&lexemes.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn inflected_words_are_marked_and_the_rest_escaped() {
        let h = highlighter(&["refund", "polici"]);
        assert_eq!(
            h.excerpt("Our <b>Refunds</b> & policies: refunding."),
            "Our &lt;b&gt;<mark>Refunds</mark>&lt;/b&gt; &amp; <mark>policies</mark>: <mark>refunding</mark>"
        );
    }

    #[test]
    fn two_stretches_around_the_matches_far_apart() {
        let filler = |n: usize| vec!["word"; n].join(" ");
        let text = format!("{} alpha {} beta {}", filler(40), filler(60), filler(40));
        let excerpt = highlighter(&["alpha", "beta"]).excerpt(&text);
        let parts: Vec<&str> = excerpt.split(DELIMITER).collect();
        assert_eq!(parts.len(), 2, "{excerpt}");
        assert!(parts[0].contains("<mark>alpha</mark>") && parts[1].contains("<mark>beta</mark>"), "{excerpt}");
        assert!(parts.iter().all(|p| p.split(' ').count() <= STRETCH_WORDS), "{excerpt}");
    }

    #[test]
    fn a_chunk_without_a_match_shows_its_beginning() {
        let text = format!("<{}>", "x".repeat(500));
        assert_eq!(highlighter(&["alpha"]).excerpt(&text), format!("&lt;{}", "x".repeat(PLAIN_CHARS - 1)));
    }

    /// The stemmer must agree with PostgreSQL's `english_stem`, or words would go unmarked:
    /// checked on the bench's vocabulary with common endings (3,000+ words).
    #[tokio::test]
    async fn stems_as_postgresql_english_stem_does() {
        let db = eventstore::testing::TestDatabase::create("highlight_stems").await;
        let mut words = Vec::new();
        for base in crate::cli::bench::words::COMMON.iter().chain(crate::cli::bench::words::STOP) {
            for ending in ["", "s", "es", "ed", "ing", "ly", "er", "ies", "ation", "ness", "ment", "ity", "ize"] {
                words.push(format!("{base}{ending}"));
            }
        }
        let stems: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT w, (ts_lexize('english_stem', w))[1] FROM unnest($1::text[]) AS w")
                .bind(&words)
                .fetch_all(&db.pool)
                .await
                .expect("stem in PostgreSQL");
        let stemmer = Stemmer::create(Algorithm::English);
        let mut compared = 0;
        for (word, stem) in stems {
            // `None`: a stop word, never a lexeme.
            if let Some(stem) = stem {
                assert_eq!(stemmer.stem(&word), stem.as_str(), "{word}");
                compared += 1;
            }
        }
        assert!(compared > 3_000, "{compared}");
    }
}
