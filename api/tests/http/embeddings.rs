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
    // Filters apply to the vector ranking's candidates too.
    let mut only_manual = retrieve(json!([0.0, 1.0, 0.0, 0.0]));
    only_manual["filter"] = json!({ "document_ids": [manual] });
    let answer: RetrieveResponse = key.post(&path, only_manual).await.json();
    assert!(!answer.results.is_empty() && answer.results.iter().all(|r| r.document_id.to_string() == manual));
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

/// Vectors along one axis, one per chunk, of norm about 1, with `special` chunks along others.
fn along(axis: usize, chunks: usize, special: &[(usize, usize)]) -> Value {
    let vectors: Vec<Value> = (0..chunks)
        .map(|i| {
            let axis = special.iter().find(|(chunk, _)| *chunk == i).map_or(axis, |(_, a)| *a);
            let mut v = vec![0.02 * i as f64; DIMENSION];
            v[axis] = 1.0;
            json!(v)
        })
        .collect();
    Value::Array(vectors)
}

#[tokio::test]
async fn the_vector_index_follows_new_replaced_and_erased_vectors() {
    let server = Server::start("http_vector_updates").await;
    let mut owner = server.tenant("Acme", "pro").await;
    let project = owner.project("Vectors").await;
    let (_, secret) = owner.api_key(&project, "app").await;
    let mut key = owner.with_bearer(&secret);
    let settings = json!({"pii_policy": "redact", "injection_policy": "mark", "embedding_dimension": DIMENSION, "max_norm_z": 4.0});
    let r = owner.send(Method::PUT, &format!("/v1/projects/{project}/settings"), Some(settings), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let path = format!("/v1/projects/{project}/retrieve");
    let nearest = |axis: usize, top_k: u32| {
        let mut embedding = vec![0.0; DIMENSION];
        embedding[axis] = 1.0;
        json!({"query": "zeppelin", "top_k": top_k, "query_embedding": embedding})
    };
    let found = |answer: RetrieveResponse| -> Vec<(String, u32)> {
        answer.results.iter().map(|r| (r.document_id.to_string(), r.chunk)).collect()
    };

    let (boiler, boiler_chunks) = indexed(&mut key, &project, "Boiler", sectioned("boiler", 4)).await;
    let (status, body) = submit(&mut key, &project, &boiler, along(0, boiler_chunks, &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = found(key.post(&path, nearest(0, 3)).await.json());
    assert_eq!(first.len(), 3);
    assert!(first.iter().all(|(d, _)| *d == boiler), "{first:?}");

    // Second round: only the new document's rows are loaded, the first round's stay.
    let (kettle, kettle_chunks) = indexed(&mut key, &project, "Kettle", sectioned("kettle", 4)).await;
    let (status, body) = submit(&mut key, &project, &kettle, along(1, kettle_chunks, &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = found(key.post(&path, nearest(1, 3)).await.json());
    assert!(second.iter().all(|(d, _)| *d == kettle), "{second:?}");
    assert_eq!(found(key.post(&path, nearest(0, 3)).await.json()), first, "the first round is still there");

    // Resubmitting replaces: the boiler's chunk 2 now points along the third axis alone.
    let (status, body) = submit(&mut key, &project, &boiler, along(0, boiler_chunks, &[(2, 2)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(found(key.post(&path, nearest(2, 1)).await.json()), vec![(boiler.clone(), 2)]);
    let along_first = found(key.post(&path, nearest(0, 4)).await.json());
    assert!(!along_first.contains(&(boiler.clone(), 2)), "the old vector is gone: {along_first:?}");

    let r = key.delete(&format!("/v1/projects/{project}/documents/{kettle}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = found(key.post(&path, nearest(1, 10)).await.json());
    assert!(after.iter().all(|(d, _)| *d != kettle), "an erased document is never found: {after:?}");
    assert_eq!(after.len(), boiler_chunks, "the boiler's chunks remain: {after:?}");
}
