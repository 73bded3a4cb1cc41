//! The index against PostgreSQL itself: on a corpus shaped like the bench's, every query's
//! matches and their `ts_rank_cd` must come out the same, chunk for chunk and bit for bit,
//! however the index was built (at once, in many updates, with erasures and compaction).

// A test without its database cannot run.
#![allow(clippy::expect_used)]

use std::collections::HashSet;

use eventstore::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

use super::load::Change;
use super::segment::Indexed;
use super::snapshot::{Documents, Snapshot};
use super::{parse, Parsed};
use crate::cli::bench::corpus::{document, Queries, Vocabulary};
use crate::retrieval::vectors::ChunkKey;

const DOCUMENTS: u64 = 300;

/// Chunks of the bench's Markdown documents (a paragraph each), a few with weighted
/// lexemes and one long enough that its positions reach PostgreSQL's limit of 16383.
async fn corpus(pool: &PgPool) -> Vec<Indexed> {
    sqlx::raw_sql(
        "CREATE TABLE t (document_id uuid, ordinal int, text text, tsv tsvector, PRIMARY KEY (document_id, ordinal))",
    )
    .execute(pool)
    .await
    .expect("create the table");
    let vocab = Vocabulary::new(0);
    let (mut documents, mut ordinals, mut texts) = (vec![], vec![], vec![]);
    for i in 0..DOCUMENTS {
        let (title, body) = document(&vocab, 7, i);
        let mut paragraphs: Vec<String> = body.split("\n\n").map(str::to_owned).collect();
        paragraphs.push(title);
        if i == 0 {
            paragraphs.push(paragraphs.join(" ").repeat(20));
        }
        for (ordinal, text) in paragraphs.into_iter().enumerate() {
            documents.push(Uuid::from_u128(u128::from(i) * 7_919 + 13));
            ordinals.push(ordinal as i32);
            texts.push(text);
        }
    }
    sqlx::query(
        "INSERT INTO t (document_id, ordinal, text, tsv)
         SELECT d, o, x, CASE o % 7 WHEN 1 THEN setweight(to_tsvector('english', x), 'A')
                                    WHEN 2 THEN setweight(to_tsvector('english', x), 'B') || to_tsvector('english', x)
                                    WHEN 3 THEN setweight(to_tsvector('english', x), 'C')
                                    ELSE to_tsvector('english', x) END
           FROM unnest($1::uuid[], $2::int4[], $3::text[]) AS r(d, o, x)",
    )
    .bind(&documents)
    .bind(&ordinals)
    .bind(&texts)
    .execute(pool)
    .await
    .expect("insert the corpus");
    let rows: Vec<(Uuid, i32, String)> = sqlx::query_as("SELECT document_id, ordinal, tsv::text FROM t ORDER BY 1, 2")
        .fetch_all(pool)
        .await
        .expect("read the tsvectors");
    rows.into_iter()
        .map(|(document, ordinal, tsv)| ((document, ordinal), parse::Tsvector::new(tsv).expect("a tsvector")))
        .collect()
}

/// The bench's queries (common words included), with `or`, repeated words, stop words only,
/// and phrases (left to PostgreSQL).
fn queries() -> Vec<String> {
    let vocab = Vocabulary::new(0);
    let mut queries = Queries::new(11).take(&vocab, 150);
    queries.extend(Queries::new(12).take(&Vocabulary::new(40), 50));
    queries.extend(
        ["customer or account data", "review review", "team", "the of and", "\"customer account\" data", "data -team"]
            .map(str::to_owned),
    );
    queries
}

/// What the index makes of `query`, and every match with its score, best first, as
/// PostgreSQL ranks them.
async fn postgres(pool: &PgPool, query: &str) -> (Parsed, Vec<(ChunkKey, f32)>) {
    let tsquery: String = sqlx::query_scalar("SELECT websearch_to_tsquery('english', $1)::text")
        .bind(query)
        .fetch_one(pool)
        .await
        .expect("parse the query");
    let rows: Vec<(Uuid, i32, f32)> = sqlx::query_as(
        "SELECT document_id, ordinal, ts_rank_cd(tsv, q) AS score
           FROM t, websearch_to_tsquery('english', $1) AS q
          WHERE tsv @@ q
          ORDER BY score DESC, document_id, ordinal",
    )
    .bind(query)
    .fetch_all(pool)
    .await
    .expect("rank in PostgreSQL");
    (Parsed::from_tsquery(&tsquery), rows.into_iter().map(|(d, o, s)| ((d, o), s)).collect())
}

/// Compares the index with PostgreSQL on every query; returns how many the index ranked.
async fn compare(pool: &PgPool, snapshot: &Snapshot, erased: &HashSet<Uuid>) -> usize {
    let mut ranked = 0;
    for query in queries() {
        let (parsed, expected) = postgres(pool, &query).await;
        let expected: Vec<(ChunkKey, f32)> = expected.into_iter().filter(|((d, _), _)| !erased.contains(d)).collect();
        match parsed {
            Parsed::Ranked(prepared) => {
                let found = snapshot.top(&prepared, usize::MAX, None);
                assert_eq!(found.len(), expected.len(), "matches of {query:?}");
                for (i, (f, e)) in found.iter().zip(&expected).enumerate() {
                    assert!(f.0 == e.0 && f.1.to_bits() == e.1.to_bits(), "{query:?} #{i}: {f:?} vs {e:?}");
                }
                let top: Vec<_> = snapshot.top(&prepared, 5, None);
                assert_eq!(top.as_slice(), &found[..found.len().min(5)], "the top 5 of {query:?}");
                ranked += 1;
            }
            Parsed::Empty => assert!(expected.is_empty(), "{query:?} matched nothing in PostgreSQL"),
            Parsed::Unsupported => {}
        }
    }
    ranked
}

#[tokio::test]
async fn ranks_every_match_as_postgresql_does() {
    let db = TestDatabase::create("words_parity").await;
    let chunks = corpus(&db.pool).await;
    let mut documents = Documents::new();
    let snapshot = Snapshot::default().apply(Change { version: 1, chunks, erased: vec![] }, &mut documents);
    let ranked = compare(&db.pool, &snapshot, &HashSet::new()).await;
    assert!(ranked >= 195, "only {ranked} queries ranked in memory");
    // Some queries matched many chunks: the common words are there.
    let broad = Parsed::from_tsquery("'custom'");
    let Parsed::Ranked(broad) = broad else { panic!("a plain word is ranked here") };
    assert!(snapshot.top(&broad, usize::MAX, None).len() > 300);
}

#[tokio::test]
async fn updates_merges_erasures_and_compaction_rank_as_postgresql_does() {
    let db = TestDatabase::create("words_updates").await;
    let chunks = corpus(&db.pool).await;
    let mut documents = Documents::new();
    let mut snapshot = Snapshot::default();
    // Eleven updates of uneven size, some documents indexed twice.
    let mut batches: Vec<Vec<Indexed>> = vec![Vec::new(); 11];
    for chunk in &chunks {
        let n = (chunk.0 .0.as_u128() % 11) as usize;
        batches[n].push(chunk.clone());
    }
    let again = batches[3].clone();
    batches[10].extend(again);
    for (version, batch) in batches.into_iter().enumerate() {
        snapshot = snapshot.apply(Change { version: version as i64, chunks: batch, erased: vec![] }, &mut documents);
    }
    assert!(snapshot.segments() > 1, "updates add segments");
    assert!(compare(&db.pool, &snapshot, &HashSet::new()).await >= 195);

    // A tenth of the documents erased, then a third: the second compacts.
    let ids: Vec<Uuid> = documents.keys().copied().collect();
    let mut erased: HashSet<Uuid> = ids.iter().copied().step_by(10).collect();
    snapshot = snapshot
        .apply(Change { version: 20, chunks: vec![], erased: erased.iter().copied().collect() }, &mut documents);
    assert!(compare(&db.pool, &snapshot, &erased).await >= 195);
    let more: Vec<Uuid> = ids.iter().copied().skip(1).step_by(3).collect();
    erased.extend(more.iter().copied());
    snapshot = snapshot.apply(Change { version: 21, chunks: vec![], erased: more }, &mut documents);
    assert_eq!(snapshot.segments(), 1, "compacted");
    assert_eq!(snapshot.len(), chunks.iter().filter(|((d, _), _)| !erased.contains(d)).count());
    assert!(compare(&db.pool, &snapshot, &erased).await >= 195);

    // An erased document indexed again is found again.
    let back = *erased.iter().next().expect("erased documents");
    let again: Vec<Indexed> = chunks.iter().filter(|((d, _), _)| *d == back).cloned().collect();
    snapshot = snapshot.apply(Change { version: 22, chunks: again, erased: vec![] }, &mut documents);
    erased.remove(&back);
    assert!(compare(&db.pool, &snapshot, &erased).await >= 195);
}
