//! Queries of plain words turned into lexemes here, without a round trip: for a query made of
//! ASCII letters and spaces only, the text `websearch_to_tsquery('english', query)::text`
//! would give. Anything else (digits, punctuation, quotes, `-`, `or`, other scripts) is left
//! to PostgreSQL, whose parser has rules this does not repeat.
//!
//! For such a query PostgreSQL's parser yields one `asciiword` per word, which the `english`
//! configuration hands to `english_stem`: lower-cased, dropped if a stop word, else stemmed by
//! Snowball English (`rust-stemmers`, the same algorithm; the tests compare with PostgreSQL).

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// PostgreSQL 15's `english.stop` (`tsearch_data`), which `english_stem` drops before
/// stemming; the tests compare the whole result with the server they run against.
#[rustfmt::skip]
const STOP_WORDS: [&str; 127] = [
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
    "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
    "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
    "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
    "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don",
    "should", "now",
];

/// Longest word handled here: PostgreSQL leaves words past 1,000 bytes unstemmed; real words
/// are far shorter.
const MAX_WORD: usize = 100;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// `websearch_to_tsquery('english', query)::text` for a query of plain words, or `None` when
/// the query has anything else.
pub fn plain_tsquery(query: &str) -> Option<String> {
    let mut lexemes = Vec::new();
    for word in query.split_ascii_whitespace() {
        if word.len() > MAX_WORD || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let lower = word.to_ascii_lowercase();
        // `or` between words is websearch's operator, not a stop word.
        if lower == "or" {
            return None;
        }
        if !STOP_WORDS.contains(&lower.as_str()) {
            lexemes.push(format!("'{}'", STEMMER.stem(&lower)));
        }
    }
    Some(lexemes.join(" & "))
}

#[cfg(test)]
mod tests {
    // A test without its database cannot run.
    #![allow(clippy::expect_used)]

    use super::*;
    use crate::cli::bench::corpus::{Queries, Vocabulary};

    #[test]
    fn anything_but_plain_words_is_left_to_postgresql() {
        for query in ["cat's toy", "top-10", "\"exact phrase\"", "-cat dog", "cat or dog", "café", "ipv6", "a.b"] {
            assert_eq!(plain_tsquery(query), None, "{query}");
        }
        assert_eq!(plain_tsquery("The Cats  running\tfast").as_deref(), Some("'cat' & 'run' & 'fast'"));
    }

    /// Every query the bench asks (both of its mixes), in several cases, stop words only,
    /// repeated words: the same text as PostgreSQL's.
    #[tokio::test]
    async fn gives_what_websearch_to_tsquery_gives() {
        let db = eventstore::testing::TestDatabase::create("plain_tsquery").await;
        let mut queries = vec![
            "the and of".to_owned(),
            "cat cat".to_owned(),
            "Running RUNS ran".to_owned(),
            "OR".to_owned(),
            "x y z".to_owned(),
        ];
        for skips in [10, 300] {
            let vocab = Vocabulary::new(skips);
            for query in Queries::new(7).take(&vocab, 1_000) {
                queries.push(query.to_uppercase());
                queries.push(query);
            }
        }
        queries.extend(STOP_WORDS.iter().map(|w| format!("{w} cats")));
        let expected: Vec<(String, String)> =
            sqlx::query_as("SELECT q, websearch_to_tsquery('english', q)::text FROM unnest($1::text[]) AS q")
                .bind(&queries)
                .fetch_all(&db.pool)
                .await
                .expect("parse in PostgreSQL");
        let mut compared = 0;
        for (query, tsquery) in expected {
            if let Some(plain) = plain_tsquery(&query) {
                assert_eq!(plain, tsquery, "{query}");
                compared += 1;
            }
        }
        assert!(compared > 4_000, "{compared}");
    }
}
