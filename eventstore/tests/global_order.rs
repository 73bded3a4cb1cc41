//! The global order never skips: a reader following `read_all` must see every event exactly
//! once and in increasing positions, even while earlier transactions commit late.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use eventstore::testing::TestDatabase;
use eventstore::{EventStore, ExpectedVersion, Position};
use support::*;

const WRITERS: usize = 16;
const APPENDS_PER_WRITER: usize = 20;
const SLOW_WRITERS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reader_never_skips_an_event_that_commits_late() {
    let db = TestDatabase::create("global_order").await;
    let store = Arc::new(db.store().await);
    let done = Arc::new(AtomicBool::new(false));

    let reader = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut after = Position::START;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = store.read_all(after, 50).await.unwrap();
                for e in &batch {
                    assert!(e.position > after, "read {:?} after {:?}: the order went backwards", e.position, after);
                    after = e.position;
                    seen.push(e.position);
                }
                if batch.is_empty() {
                    if finished {
                        break seen;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        })
    };

    // Slow writers append and then hold their transaction open while fast writers, which
    // started later, commit larger positions: exactly the case a plain sequence gets wrong.
    let slow = (0..SLOW_WRITERS).map(|w| {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..5 {
                let mut tx = store.pool().begin().await.unwrap();
                let req = request(stream(&format!("slow{w}")), ExpectedVersion::Any, vec![event(i)]);
                let committed = store.append_in(&mut tx, &req).await.unwrap();
                tokio::time::sleep(Duration::from_millis(60)).await;
                tx.commit().await.unwrap();
                store.announce(committed.position);
            }
        })
    });
    let fast = (0..WRITERS).map(|w| {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..APPENDS_PER_WRITER {
                let req =
                    request(stream(&format!("fast{w}")), ExpectedVersion::Any, vec![event(i as u64), event(i as u64)]);
                store.append(req).await.unwrap();
            }
        })
    });
    let writers: Vec<_> = slow.chain(fast).collect();
    for w in writers {
        w.await.unwrap();
    }
    // Let the horizon pass the last commit before telling the reader to finish.
    tokio::time::sleep(Duration::from_millis(100)).await;
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();

    let all: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM events ORDER BY position").fetch_all(&db.pool).await.unwrap();
    assert_eq!(all.len(), SLOW_WRITERS * 5 + WRITERS * APPENDS_PER_WRITER * 2);
    let seen_raw: Vec<i64> = seen.iter().map(|p| p.raw()).collect();
    let unique: BTreeSet<i64> = seen_raw.iter().copied().collect();
    assert_eq!(unique.len(), seen_raw.len(), "no event was read twice");
    assert_eq!(seen_raw, all, "the reader saw every committed event, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_transaction_holds_back_later_commits_until_it_ends() {
    let db = TestDatabase::create("held_back").await;
    let store = db.store().await;
    let mut tx = store.pool().begin().await.unwrap();
    let early =
        store.append_in(&mut tx, &request(stream("early"), ExpectedVersion::Any, vec![event(1)])).await.unwrap();
    let late = store.append(request(stream("late"), ExpectedVersion::Any, vec![event(2)])).await.unwrap();
    assert!(late.position > early.position);
    assert!(
        store.read_all(Position::START, 10).await.unwrap().is_empty(),
        "the later commit must wait for the open earlier transaction"
    );
    tx.commit().await.unwrap();
    // The horizon is server-wide: other tests' open transactions may delay it a little more.
    let mut read = Vec::new();
    for _ in 0..500 {
        read = store.read_all(Position::START, 10).await.unwrap().into_iter().map(|e| e.position).collect();
        if read.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(read, vec![early.position, late.position]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_to_different_streams_do_not_wait_for_each_other() {
    let db = TestDatabase::create("parallel").await;
    let store = db.store().await;
    let mut tx = store.pool().begin().await.unwrap();
    store.append_in(&mut tx, &request(stream("held"), ExpectedVersion::Any, vec![event(1)])).await.unwrap();
    // While that transaction is open, another stream's append completes: no global lock.
    let other = tokio::time::timeout(
        Duration::from_secs(5),
        store.append(request(stream("free"), ExpectedVersion::Any, vec![event(2)])),
    )
    .await;
    assert!(matches!(other, Ok(Ok(_))), "append to another stream was blocked: {other:?}");
    tx.rollback().await.unwrap();
}
