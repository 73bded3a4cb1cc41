//! Documents end to end: upload (JSON and multipart), ingestion with PII redaction, retrieval,
//! erasure that survives a rebuild, and the problems bad uploads get.

use api_types::{DocumentInfo, DocumentList, ProblemType, RetrieveResponse};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{Client, Server};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/content/tests/data");

const HANDBOOK: &str = "# Refund policy\n\nCustomers may ask for a refund within thirty days. \
    Write to ada.lovelace@example.com with the order number.\n\n\
    ## Card payments\n\nRefunds go back to the card used, such as 4111 1111 1111 1111, within a week.";

async fn project_with_key(server: &Server, tenant: &str) -> (Client, Client, String) {
    let mut owner = server.tenant(tenant, "pro").await;
    let project = owner.project("Support").await;
    let (_, secret) = owner.api_key(&project, "ingest").await;
    let key = owner.with_bearer(&secret);
    (owner, key, project)
}

async fn upload(client: &mut Client, project: &str, body: Value) -> DocumentInfo {
    let r = client.post(&format!("/v1/projects/{project}/documents"), body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert!(r.headers.contains_key("x-ctxi-position"));
    serde_json::from_value(r.body["document"].clone()).unwrap()
}

async fn retrieve(client: &mut Client, project: &str, query: &str) -> RetrieveResponse {
    let r = client.post(&format!("/v1/projects/{project}/retrieve"), json!({"query": query, "top_k": 5})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn uploaded_text_is_indexed_redacted_and_retrieved_with_highlights() {
    let server = Server::start("http_documents_flow").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let body = json!({"title": "Handbook", "content": HANDBOOK, "content_type": "text/markdown",
                      "metadata": {"team": "support"}});
    let uploaded = upload(&mut key, &project, body).await;
    // Read back once stored; the worker may already have indexed it by then.
    assert!(matches!(uploaded.status.as_str(), "pending" | "indexed"), "{uploaded:?}");
    assert_eq!((uploaded.pages, uploaded.content_type.as_str()), (1, "text/markdown"));

    let document: DocumentInfo = serde_json::from_value(key.indexed(&project, &uploaded.id.to_string()).await).unwrap();
    assert_eq!(document.status, "indexed", "{document:?}");
    assert!(document.chunks >= 1);
    assert_eq!(document.pii.get("email"), Some(&1));
    assert_eq!(document.pii.get("payment_card"), Some(&1));

    let answer = retrieve(&mut key, &project, "refund card").await;
    let best = answer.results.first().expect("a result");
    assert_eq!((best.document_id, best.title.as_str()), (uploaded.id, "Handbook"));
    assert!(best.score > 0.0);
    let all_text: String = answer.results.iter().map(|r| r.text.as_str()).collect();
    assert!(all_text.contains("[CARD]") || all_text.contains("[EMAIL]"), "{all_text}");
    assert!(!all_text.contains("4111") && !all_text.contains("ada.lovelace"), "{all_text}");
    assert!(best.highlight.contains("<mark>"), "{}", best.highlight);

    let filtered = key
        .post(
            &format!("/v1/projects/{project}/retrieve"),
            json!({"query": "refund", "filter": {"metadata": {"team": "sales"}}}),
        )
        .await;
    assert_eq!(filtered.json::<RetrieveResponse>().results.len(), 0, "metadata filter excludes the document");
    let listed: DocumentList = key.get(&format!("/v1/projects/{project}/documents")).await.json();
    assert_eq!(listed.documents.iter().map(|d| d.id).collect::<Vec<_>>(), vec![uploaded.id]);
}

#[tokio::test]
async fn a_pdf_uploaded_as_a_file_counts_its_real_pages() {
    let server = Server::start("http_documents_pdf").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let pdf = std::fs::read(format!("{FIXTURES}/extract-two-pages.pdf")).unwrap();
    let form = Form::new()
        .part("file", Part::bytes(pdf).file_name("manual.pdf").mime_str("application/pdf").unwrap())
        .text("metadata", r#"{"kind": "manual"}"#);
    let r = key.upload_multipart(&project, form).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(
        (r.body["document"]["title"].as_str(), r.body["document"]["pages"].as_u64()),
        (Some("manual.pdf"), Some(2))
    );
    let id = r.body["document"]["id"].as_str().unwrap().to_owned();
    let document = key.indexed(&project, &id).await;
    assert_eq!(document["status"], "indexed", "{document}");
    assert_eq!(document["metadata"], json!({"kind": "manual"}));
}

#[tokio::test]
async fn erasing_removes_the_document_and_its_chunks_at_once_and_a_rebuild_keeps_them_gone() {
    let server = Server::start("http_documents_erase").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let uploaded = upload(&mut key, &project, json!({"title": "Handbook", "content": HANDBOOK})).await;
    key.indexed(&project, &uploaded.id.to_string()).await;
    assert!(!retrieve(&mut key, &project, "refund").await.results.is_empty());

    let r = key.delete(&format!("/v1/projects/{project}/documents/{}", uploaded.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(retrieve(&mut key, &project, "refund").await.results.is_empty(), "chunks gone when DELETE answers");
    let gone = key.get(&format!("/v1/projects/{project}/documents/{}", uploaded.id)).await;
    assert_eq!(gone.problem().kind, ProblemType::NotFound.uri());

    let rebuild = std::process::Command::new(env!("CARGO_BIN_EXE_ctxi"))
        .args(["projections", "rebuild", "documents"])
        .env("DATABASE_URL", server.db.url())
        .env("CTXI_KEK", &server.kek)
        .output()
        .unwrap();
    assert!(rebuild.status.success(), "{}", String::from_utf8_lossy(&rebuild.stderr));
    assert!(retrieve(&mut key, &project, "refund").await.results.is_empty(), "a rebuild brings nothing back");
    let chunks: i64 = sqlx::query_scalar("SELECT count(*) FROM chunks").fetch_one(&server.db.pool).await.unwrap();
    assert_eq!(chunks, 0);
}

/// The in-memory word index, once read, follows the documents indexed and erased after it,
/// filters as PostgreSQL did, scores as `ts_rank_cd` does, and leaves phrases to PostgreSQL.
#[tokio::test]
async fn retrieval_follows_documents_indexed_and_erased_after_its_first_answer() {
    let server = Server::start("http_documents_follow").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let handbook = upload(
        &mut key,
        &project,
        json!({"title": "Handbook", "content": HANDBOOK,
                                                     "metadata": {"team": "support"}}),
    )
    .await;
    key.indexed(&project, &handbook.id.to_string()).await;
    assert_eq!(retrieve(&mut key, &project, "refund").await.results[0].document_id, handbook.id);

    let billing = upload(
        &mut key,
        &project,
        json!({"title": "Billing",
        "content": "Refund requests for annual plans go to the billing team.", "metadata": {"team": "billing"}}),
    )
    .await;
    key.indexed(&project, &billing.id.to_string()).await;
    let both = retrieve(&mut key, &project, "refund").await;
    let found: std::collections::HashSet<_> = both.results.iter().map(|r| r.document_id).collect();
    assert_eq!(found, [handbook.id, billing.id].into(), "{both:?}");
    for result in &both.results {
        let score: f32 = sqlx::query_scalar(
            "SELECT ts_rank_cd(tsv, websearch_to_tsquery('english', 'refund')) FROM chunks
              WHERE document_id = $1 AND ordinal = $2",
        )
        .bind(result.document_id)
        .bind(result.chunk as i32)
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
        assert_eq!(result.score, f64::from(score), "{result:?}");
    }

    let path = format!("/v1/projects/{project}/retrieve");
    for (filter, expected) in
        [(json!({"document_ids": [billing.id]}), billing.id), (json!({"metadata": {"team": "support"}}), handbook.id)]
    {
        let r = key.post(&path, json!({"query": "refund", "filter": filter})).await;
        let ids: Vec<_> = r.json::<RetrieveResponse>().results.iter().map(|r| r.document_id).collect();
        assert!(!ids.is_empty() && ids.iter().all(|id| *id == expected), "{filter}: {ids:?}");
    }
    let phrase = retrieve(&mut key, &project, "\"annual plans\"").await;
    assert_eq!(phrase.results.iter().map(|r| r.document_id).collect::<Vec<_>>(), vec![billing.id]);

    let r = key.delete(&format!("/v1/projects/{project}/documents/{}", handbook.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let left = retrieve(&mut key, &project, "refund").await;
    assert_eq!(left.results.iter().map(|r| r.document_id).collect::<Vec<_>>(), vec![billing.id]);

    // Every ranking but the phrase's (and perhaps the first, if the index took long to read)
    // ran in memory.
    let metrics = reqwest::get(format!("{}/metrics", server.base)).await.unwrap().text().await.unwrap();
    let count = |by: &str| -> u64 {
        let prefix = format!("retrieval_word_rankings_total{{by=\"{by}\"}} ");
        metrics.lines().find_map(|l| l.strip_prefix(&prefix)).map_or(0, |n| n.parse().unwrap())
    };
    assert!(count("memory") >= 4 && count("postgres") >= 1, "{metrics}");
}

#[tokio::test]
async fn a_pdf_without_text_fails_with_a_reason_the_customer_sees() {
    let server = Server::start("http_documents_failed").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    // One page holding only a filled rectangle: a valid PDF, like a scan, with no text layer.
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/blank-page.pdf")).unwrap();
    let form = Form::new().part("file", Part::bytes(pdf).file_name("scan.pdf"));
    let r = key.upload_multipart(&project, form).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.body["document"]["id"].as_str().unwrap().to_owned();
    let document = key.indexed(&project, &id).await;
    assert_eq!(document["status"], "failed", "{document}");
    assert!(document["failure"].as_str().unwrap().contains("text"), "{document}");
    assert_eq!(document["chunks"], 0);

    // Damaged past its page tree: counted at upload, refused by extraction.
    let damaged = std::fs::read(format!("{FIXTURES}/extract-corrupt.pdf")).unwrap();
    let r = key.upload_multipart(&project, Form::new().part("file", Part::bytes(damaged).file_name("x.pdf"))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let document = key.indexed(&project, r.body["document"]["id"].as_str().unwrap()).await;
    assert_eq!(document["status"], "failed", "{document}");
    assert!(document["failure"].as_str().unwrap().contains("PDF"), "{document}");
}

#[tokio::test]
async fn bad_uploads_are_problems_and_store_nothing() {
    let server = Server::start("http_documents_errors").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let path = format!("/v1/projects/{project}/documents");

    let pdf_as_json = key.post(&path, json!({"title": "T", "content": "x", "content_type": "application/pdf"})).await;
    assert_eq!(
        (pdf_as_json.status, pdf_as_json.problem().errors[0].field.as_str()),
        (StatusCode::BAD_REQUEST, "content_type")
    );
    let unknown = key.post(&path, json!({"title": "T", "content": "x", "content_type": "image/png"})).await;
    assert_eq!(unknown.problem().errors[0].field, "content_type");
    let untitled = key.post(&path, json!({"title": " ", "content": "x"})).await;
    assert_eq!(untitled.problem().errors[0].field, "title");
    let not_object = key.post(&path, json!({"title": "T", "content": "x", "metadata": [1]})).await;
    assert_eq!(not_object.problem().errors[0].field, "metadata");
    let empty = key.post(&path, json!({"title": "T", "content": ""})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);

    let huge = "a".repeat(commands::MAX_DOCUMENT_BYTES + 1);
    let too_large = key.post(&path, json!({"title": "T", "content": huge})).await;
    assert_eq!(
        (too_large.status, too_large.problem().kind),
        (StatusCode::PAYLOAD_TOO_LARGE, ProblemType::PayloadTooLarge.uri())
    );

    let not_pdf = Part::bytes(b"plain words, not a PDF".to_vec()).file_name("x.pdf");
    let r = key.upload_multipart(&project, Form::new().part("file", not_pdf)).await;
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("content")));
    let r =
        key.upload_multipart(&project, Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.bin"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = key.upload_multipart(&project, Form::new().text("title", "no file")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    let plain = key.send(Method::POST, &path, None, &[("content-type", "text/plain")]).await;
    assert_eq!(plain.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", plain.body);
    let listed: DocumentList = key.get(&path).await.json();
    assert!(listed.documents.is_empty(), "nothing was stored: {:?}", listed.documents);
}

#[tokio::test]
async fn another_tenant_sees_none_of_it() {
    let server = Server::start("http_documents_isolation").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let uploaded = upload(&mut key, &project, json!({"title": "Handbook", "content": HANDBOOK})).await;
    let (mut other_owner, mut other_key, _) = project_with_key(&server, "Globex").await;
    for client in [&mut other_owner, &mut other_key] {
        let r = client.get(&format!("/v1/projects/{project}/documents/{}", uploaded.id)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = client.post(&format!("/v1/projects/{project}/retrieve"), json!({"query": "refund"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = client.delete(&format!("/v1/projects/{project}/documents/{}", uploaded.id)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let r = server.client().post(&format!("/v1/projects/{project}/retrieve"), json!({"query": "refund"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn retrieval_refuses_bad_queries_with_problems() {
    let server = Server::start("http_retrieve_errors").await;
    let (_owner, mut key, project) = project_with_key(&server, "Acme").await;
    let path = format!("/v1/projects/{project}/retrieve");
    for (body, field) in [
        (json!({"query": "  "}), "query"),
        (json!({"query": "x".repeat(1_001)}), "query"),
        (json!({"query": "refund", "top_k": 0}), "top_k"),
        (json!({"query": "refund", "top_k": 51}), "top_k"),
        (json!({"query": "refund", "filter": {"metadata": "team"}}), "filter.metadata"),
    ] {
        let r = key.post(&path, body).await;
        assert_eq!((r.status, r.problem().errors[0].field.as_str()), (StatusCode::BAD_REQUEST, field));
    }
}
