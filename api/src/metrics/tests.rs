use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use eventstore::testing::TestDatabase;
use eventstore::{
    AppendError, AppendRequest, EventMetadata, EventStore, ExpectedVersion, Idempotency, InMemoryStore, NewEvent,
    StreamAppend, StreamId,
};
use serde_json::json;
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

use super::*;

fn request(
    stream: &StreamId,
    expected: ExpectedVersion,
    events: usize,
    idempotency: Option<Idempotency>,
) -> AppendRequest {
    let event = NewEvent { event_type: "Noted".into(), event_version: "1".into(), payload: json!({"n": 1}) };
    AppendRequest {
        streams: vec![StreamAppend { stream: stream.clone(), expected, events: vec![event; events] }],
        metadata: EventMetadata::system("metrics-test", None, OffsetDateTime::now_utc()),
        idempotency,
        result: json!(null),
    }
}

/// The sample lines of the rendered text, for exact comparisons.
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[tokio::test]
async fn metered_store_counts_appends_conflicts_and_replays() {
    let metrics = Metrics::new();
    let store = MeteredStore::new(InMemoryStore::new(), metrics.clone());
    let stream = StreamId::new("note", 1);
    let retry = Idempotency { command_id: Uuid::new_v4(), fingerprint: [7; 32] };

    store.append(request(&stream, ExpectedVersion::NoStream, 2, Some(retry.clone()))).await.unwrap();
    store.append(request(&stream, ExpectedVersion::Exactly(2), 1, None)).await.unwrap();
    // The same command again, through append and through replay: nothing is appended.
    let replayed = store.append(request(&stream, ExpectedVersion::NoStream, 2, Some(retry.clone()))).await.unwrap();
    assert!(replayed.replayed);
    assert!(store.replay(&retry).await.unwrap().is_some());
    assert!(store.replay(&Idempotency { command_id: Uuid::new_v4(), fingerprint: [7; 32] }).await.unwrap().is_none());
    let conflict = store.append(request(&stream, ExpectedVersion::Exactly(1), 1, None)).await;
    assert!(matches!(conflict, Err(AppendError::Conflict { .. })), "{conflict:?}");
    // Other failures are none of these.
    assert!(store.append(request(&stream, ExpectedVersion::Any, 0, None)).await.is_err());

    assert_eq!(store.inner().read_stream(&stream).await.unwrap().len(), 3);
    let text = metrics.encode().unwrap();
    assert!(has_line(&text, "events_appended_total 3"), "{text}");
    assert!(has_line(&text, "append_conflicts_total 1"), "{text}");
    assert!(has_line(&text, "idempotent_replays_total 2"), "{text}");
    // Every call of `append` is timed, whatever its outcome: five.
    assert!(has_line(&text, "event_store_append_duration_seconds_count 5"), "{text}");
}

#[tokio::test]
async fn requests_are_labelled_by_route_template() {
    let metrics = Metrics::new();
    let app = Router::new()
        .route("/v1/things/{id}", get(|| async { "thing" }).post(|| async { StatusCode::CREATED }))
        .layer(axum::middleware::from_fn_with_state(metrics.clone(), track_requests));
    let call = |method: &str, uri: &str| {
        let request = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let app = app.clone();
        async move { app.oneshot(request).await.unwrap().status() }
    };

    assert_eq!(call("GET", "/v1/things/1").await, StatusCode::OK);
    assert_eq!(call("GET", "/v1/things/2").await, StatusCode::OK);
    assert_eq!(call("POST", "/v1/things/3").await, StatusCode::CREATED);
    assert_eq!(call("GET", "/nowhere/4").await, StatusCode::NOT_FOUND);
    assert_eq!(call("BREW", "/v1/things/5").await, StatusCode::METHOD_NOT_ALLOWED);

    let text = metrics.encode().unwrap();
    for line in [
        r#"http_requests_total{route="/v1/things/{id}",method="GET",status="200"} 2"#,
        r#"http_requests_total{route="/v1/things/{id}",method="POST",status="201"} 1"#,
        r#"http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        r#"http_requests_total{route="/v1/things/{id}",method="OTHER",status="405"} 1"#,
        r#"http_request_duration_seconds_count{route="/v1/things/{id}",method="GET"} 2"#,
        r#"http_request_duration_seconds_bucket{le="10.0",route="/v1/things/{id}",method="GET"} 2"#,
        r#"http_request_duration_seconds_bucket{le="+Inf",route="unmatched",method="GET"} 1"#,
        "# TYPE http_request_duration_seconds histogram",
        "# UNIT http_request_duration_seconds seconds",
    ] {
        assert!(has_line(&text, line), "missing {line} in\n{text}");
    }
    assert!(!text.contains("/v1/things/1"), "raw paths must not become labels:\n{text}");
}

/// Needs PostgreSQL, like the other database tests (see `eventstore::testing`).
#[tokio::test]
async fn render_reports_each_projectors_position_and_lag() {
    let db = TestDatabase::create("metrics_render").await;
    let metrics = Metrics::new();
    let store = MeteredStore::new(db.store().await, metrics.clone());
    let committed = store.append(request(&StreamId::new("note", 1), ExpectedVersion::NoStream, 3, None)).await.unwrap();
    while store.inner().head().await.unwrap() < committed.position {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let head = committed.position.raw();
    sqlx::query("INSERT INTO projector_checkpoints (projector, position) VALUES ('behind', 0), ('current', $1)")
        .bind(head)
        .execute(&db.pool)
        .await
        .unwrap();

    let text = metrics.render(store.inner().pool(), store.inner()).await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    for line in [
        r#"projector_position{projector="behind"} 0"#.to_owned(),
        r#"projector_lag{projector="behind"} 3"#.to_owned(),
        format!(r#"projector_position{{projector="current"}} {head}"#),
        r#"projector_lag{projector="current"} 0"#.to_owned(),
        "events_appended_total 3".to_owned(),
    ] {
        assert!(has_line(&text, &line), "missing {line} in\n{text}");
    }

    // A projector that is gone disappears from the next scrape.
    sqlx::query("DELETE FROM projector_checkpoints WHERE projector = 'behind'").execute(&db.pool).await.unwrap();
    let text = metrics.render(store.inner().pool(), store.inner()).await.unwrap();
    assert!(!text.contains(r#"projector="behind""#), "{text}");
    assert!(has_line(&text, r#"projector_lag{projector="current"} 0"#), "{text}");
}

#[test]
fn vector_graph_builds_are_timed_under_the_name_the_vectors_bench_waits_on() {
    let metrics = Metrics::new();
    let text = metrics.encode().unwrap();
    assert!(has_line(&text, "vector_index_build_duration_seconds_count 0"), "{text}");
    metrics.record_vector_index_build(Duration::from_secs(2));
    let text = metrics.encode().unwrap();
    assert!(has_line(&text, "vector_index_build_duration_seconds_count 1"), "{text}");
    assert!(has_line(&text, "vector_index_build_duration_seconds_bucket{le=\"1.0\"} 0"), "{text}");
    assert!(has_line(&text, "vector_index_build_duration_seconds_bucket{le=\"5.0\"} 1"), "{text}");
}
