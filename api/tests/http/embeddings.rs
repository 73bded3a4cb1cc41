//! Client-supplied embeddings: screened on submission (rejections visible to the tenant),
//! searchable with a query embedding (hybrid ranking), gone with their document.

use api_types::{ChunkList, EmbeddingRejectionList, EmbeddingsResult, RetrieveResponse};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{Client, Server};

const DIMENSION: usize = 4;

/// A Markdown document of `sections` sections, each long enough to be its own chunk.
fn sectioned(topic: &str, sections: usize) -> String {
    (0..sections)
        .map(|i| {
            format!("# {topic} part {i}\n\n{}", format!("The {topic} manual explains step {i} in detail. ").repeat(25))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

async fn indexed(key: &mut Client, project: &str, title: &str, content: String) -> (String, usize) {
    let body = json!({"title": title, "content": content, "content_type": "text/markdown"});
    let r = key.post(&format!("/v1/projects/{project}/documents"), body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.body["document"]["id"].as_str().unwrap().to_owned();
    let document = key.indexed(project, &id).await;
    assert_eq!(document["status"], "indexed", "{document}");
    let chunks: ChunkList = key.get(&format!("/v1/projects/{project}/documents/{id}/chunks")).await.json();
    assert_eq!(chunks.chunks.len() as u64, document["chunks"].as_u64().unwrap());
    (id, chunks.chunks.len())
}

async fn submit(key: &mut Client, project: &str, document: &str, vectors: Value) -> (StatusCode, Value) {
    let path = format!("/v1/projects/{project}/documents/{document}/embeddings");
    let r = key.send(Method::PUT, &path, Some(json!({ "embeddings": vectors })), &[]).await;
    (r.status, r.body)
}

#[tokio::test]
async fn embeddings_are_screened_searchable_and_erased_with_their_document() {
    let server = Server::start("http_embeddings").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let project = owner.project("Vectors").await;
    let (_, secret) = owner.api_key(&project, "app").await;
    let mut key = owner.with_bearer(&secret);
    let (manual, manual_chunks) = indexed(&mut key, &project, "Manual", sectioned("boiler", 35)).await;
    assert!(manual_chunks >= 31, "enough accepted norms to judge by: {manual_chunks}");

    let (status, body) = submit(&mut key, &project, &manual, json!([[1.0, 0.0, 0.0, 0.0]])).await;
    assert_eq!(status, StatusCode::CONFLICT, "no dimension declared yet: {body}");
    let settings = json!({"pii_policy": "redact", "injection_policy": "mark", "embedding_dimension": DIMENSION, "max_norm_z": 4.0});
    let r = owner.send(Method::PUT, &format!("/v1/projects/{project}/settings"), Some(settings), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Unit-ish vectors pointing along the first axis, norms 0.95 to 1.05.
    let usual: Vec<Value> =
        (0..manual_chunks).map(|i| json!([0.95 + 0.1 * (i % 5) as f64 / 4.0, 0.05, 0.0, 0.0])).collect();
    let (status, body) = submit(&mut key, &project, &manual, Value::Array(usual)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: EmbeddingsResult = serde_json::from_value(body).unwrap();
    assert_eq!((result.accepted as usize, result.rejected.len()), (manual_chunks, 0));

    let (notes, notes_chunks) = indexed(&mut key, &project, "Notes", sectioned("kettle", 4)).await;
    assert_eq!(notes_chunks, 4);
    let attack = json!([[1e39, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 10.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]);
    let (status, body) = submit(&mut key, &project, &notes, attack).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: EmbeddingsResult = serde_json::from_value(body).unwrap();
    let reasons: Vec<(u32, &str)> = result.rejected.iter().map(|r| (r.chunk, r.reason.as_str())).collect();
    assert_eq!(result.accepted, 1);
    assert_eq!(reasons, vec![(0, "non_finite"), (1, "wrong_dimension"), (2, "anomalous_norm")]);
    let log: EmbeddingRejectionList = key.get(&format!("/v1/projects/{project}/embedding-rejections")).await.json();
    assert_eq!(log.rejections.len(), 3);
    assert!(log.rejections.iter().any(|r| r.detail.contains("standard deviations")), "{log:?}");

    // Words in neither document: only the vector ranking can find the accepted "kettle" chunk.
    let retrieve = |embedding: Value| json!({"query": "zeppelin", "top_k": 3, "query_embedding": embedding});
    let path = format!("/v1/projects/{project}/retrieve");
    let r = key.post(&path, retrieve(json!([0.0, 1.0, 0.0, 0.0]))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let answer: RetrieveResponse = r.json();
    assert_eq!((answer.results[0].document_id.to_string(), answer.results[0].chunk), (notes.clone(), 3));
    let r = key.post(&path, retrieve(json!([0.0, 1.0, 0.0]))).await;
    assert_eq!((r.status, r.problem().errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "query_embedding"));
    let r = key.post(&path, retrieve(json!([0.0, 80.0, 0.0, 0.0]))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an anomalous query embedding is refused too: {}", r.body);

    let r = key.delete(&format!("/v1/projects/{project}/documents/{notes}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let vectors: i64 = sqlx::query_scalar("SELECT count(*) FROM chunk_vectors WHERE document_id = $1::uuid")
        .bind(&notes)
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(vectors, 0, "the erased document's vectors are gone");
    let answer: RetrieveResponse = key.post(&path, retrieve(json!([0.0, 1.0, 0.0, 0.0]))).await.json();
    assert!(answer.results.iter().all(|r| r.document_id.to_string() != notes), "{answer:?}");
}
