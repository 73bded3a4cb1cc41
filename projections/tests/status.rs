//! `status`: how far behind each projector is.

mod common;

use common::{append, at, database, last_appended, quick, start, wait_all};
use domain::{Personal, UserEvent, UserId};
use projections::{status, Projections};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_the_lag_before_the_runner_starts_and_none_once_caught_up() {
    let (_db, store) = database("status").await;
    let all = projections::all();
    let runner = Projections::new(store.clone(), all.clone()).with_config(quick(100));
    runner.setup().await.unwrap();
    for minute in [0, 2, 5] {
        let user_id = UserId::new(Uuid::now_v7());
        let name = Personal::new(user_id.subject(), "Ada".to_owned());
        let email = Personal::new(user_id.subject(), format!("{user_id}@example.com"));
        let registered = UserEvent::UserRegistered { user_id, email, name, password_hash: "h".into(), at: at(minute) };
        append(&store, "user", user_id, vec![new_event!(registered)], at(minute)).await;
    }
    let head = last_appended(&store).await;
    while store.head().await.unwrap() < head {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let behind = status(store.pool(), &store).await.unwrap();
    assert_eq!(behind.len(), all.len());
    for s in &behind {
        assert_eq!((s.lag_events, s.lag_seconds, s.position), (3, 300.0, eventstore::Position::START), "{s:?}");
    }

    let running = start(runner);
    wait_all(store.pool(), &all, head).await;
    let caught_up = status(store.pool(), &store).await.unwrap();
    for s in &caught_up {
        assert_eq!((s.lag_events, s.lag_seconds, s.position), (0, 0.0, head), "{s:?}");
    }
    running.stop().await;
}
