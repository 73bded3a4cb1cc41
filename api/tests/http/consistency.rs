//! Read-your-writes by default: a write answered 2xx is seen by the same caller's next read, with
//! no header, on any instance; commands decide from the event store even when a read model is
//! behind; and a write the read models cannot catch up with in time still succeeds (202), while
//! its caller's reads wait for it rather than miss it.

use std::time::Duration;

use api_types::{ApiKeyList, DocumentList, ProblemType, ProjectList};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::support::{Client, Response, Server, PASSWORD};

const SEQUENCES: usize = 200;

/// Each kind of write-then-read, run once; a miss is described, not asserted, so that a run
/// reports how many of its sequences missed.
async fn sequences(writer: &mut Client, reader: &mut Client, round: usize, misses: &mut Vec<String>) {
    let mut miss = |what: &str, r: &Response| misses.push(format!("round {round}, {what}: {} {}", r.status, r.body));

    // Create a project, then list and get it.
    let r = writer.post("/v1/projects", json!({"name": format!("Project {round}")})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let project = r.body["id"].as_str().unwrap().to_owned();
    let list = reader.get("/v1/projects").await;
    if !(list.status == StatusCode::OK
        && list.json::<ProjectList>().projects.iter().any(|p| p.id.to_string() == project))
    {
        miss("create then list", &list);
    }
    let got = reader.get(&format!("/v1/projects/{project}")).await;
    if got.status != StatusCode::OK {
        miss("create then get", &got);
    }

    // Upload to the new project, then list its documents.
    let body = json!({"title": "Note", "content": format!("Round {round} notes."), "content_type": "text/plain"});
    let up = reader.post(&format!("/v1/projects/{project}/documents"), body).await;
    if up.status != StatusCode::ACCEPTED || up.headers.contains_key("x-ctxi-pending") {
        miss("create a project then upload to it", &up);
    } else {
        let document = up.body["document"]["id"].as_str().unwrap().to_owned();
        let docs = writer.get(&format!("/v1/projects/{project}/documents")).await;
        if !(docs.status == StatusCode::OK
            && docs.json::<DocumentList>().documents.iter().any(|d| d.id.to_string() == document))
        {
            miss("upload then list documents", &docs);
        }
    }

    // Issue a key and use it; revoke it and use it again.
    let r = writer.post(&format!("/v1/projects/{project}/api-keys"), json!({"name": "ci"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let key_id = r.body["api_key"]["id"].as_str().unwrap().to_owned();
    let mut key = reader.with_bearer(r.body["secret"].as_str().unwrap());
    let used = key.get(&format!("/v1/projects/{project}")).await;
    if used.status != StatusCode::OK {
        miss("create a key then use it", &used);
    }
    let revoked = writer.delete(&format!("/v1/projects/{project}/api-keys/{key_id}")).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let refused = key.get(&format!("/v1/projects/{project}")).await;
    if refused.status != StatusCode::UNAUTHORIZED {
        miss("revoke a key then use it", &refused);
    }
}

/// The same signed-in browser, pointed at another instance.
fn at(client: &Client, base: &str) -> Client {
    let mut other = client.clone_session();
    other.base = base.to_owned();
    other
}

#[tokio::test]
async fn a_caller_sees_each_of_its_writes_on_its_next_read_without_a_header() {
    let server = Server::start("consistency_same_instance").await;
    let mut owner = server.tenant("Acme", "enterprise").await;
    let mut misses = Vec::new();
    for round in 0..SEQUENCES {
        let mut reader = owner.clone_session();
        sequences(&mut owner, &mut reader, round, &mut misses).await;
    }
    assert!(misses.is_empty(), "{} misses in {SEQUENCES} rounds: {misses:#?}", misses.len());
}

#[tokio::test]
async fn writes_on_one_instance_are_read_on_another_with_the_same_credentials() {
    let server = Server::start("consistency_two_instances").await;
    let other = server.another_instance(&[]).await;
    let mut owner = server.tenant("Acme", "enterprise").await;
    let mut on_other = at(&owner, &other.base);
    let mut misses = Vec::new();
    // Both ways: one of the two runs the projectors, the other waits on their checkpoints.
    for round in 0..SEQUENCES {
        if round % 2 == 0 {
            sequences(&mut owner, &mut on_other, round, &mut misses).await;
        } else {
            sequences(&mut on_other, &mut owner, round, &mut misses).await;
        }
    }
    assert!(misses.is_empty(), "{} misses in {SEQUENCES} rounds: {misses:#?}", misses.len());

    // A sign-up answered by one instance is signed in on the other at once.
    let mut fresh = other.client();
    let (status, body) = fresh.signup("Globex", "owner@globex.example.com", "free").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut fresh_here = at(&fresh, &server.base);
    assert_eq!(fresh_here.get("/v1/me").await.status, StatusCode::OK);
}

/// Holds projector `name`'s lease before the server starts, so no instance runs it: its read
/// model stays where it is until the connection is closed.
async fn hold(db: &TestDatabase, name: &str) -> PgConnection {
    let mut conn = PgConnection::connect(&db.url()).await.unwrap();
    sqlx::query("SELECT pg_advisory_lock(hashtextextended('ctxi.projector.' || $1, 0))")
        .bind(name)
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// A server whose projector `name` is held back, and which waits 300 ms for its read models.
async fn lagging(label: &str, name: &str) -> (Server, PgConnection) {
    let db = TestDatabase::create(label).await;
    let held = hold(&db, name).await;
    let (_, kek) = KeyEncryptionKey::generate();
    (Server::start_on(db, kek, &[("CTXI_CONSISTENCY_WAIT_MS", "300")]).await, held)
}

fn assert_pending(r: &Response, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.headers.get("x-ctxi-pending"), r.headers.get("x-ctxi-position"), "{:?}", r.headers);
}

fn assert_behind(r: &Response) {
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.problem().kind(), Some(ProblemType::ConsistencyTimeout));
}

/// Reads `path` until it answers `status`: the projector just released catches up.
async fn eventually(client: &mut Client, path: &str, status: StatusCode) -> Response {
    for _ in 0..300 {
        let r = client.get(path).await;
        if r.status == status {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} did not answer {status} within the time the read models had");
}

#[tokio::test]
async fn writes_to_a_project_the_projects_read_model_lacks_are_decided_from_the_event_store() {
    let (server, held) = lagging("consistency_projects_behind", "projects").await;
    let mut owner = server.client();
    let r = owner
        .send(
            Method::POST,
            "/v1/signup",
            Some(json!({"tenant": "Acme", "email": "ada@acme.example.com", "password": PASSWORD, "plan": "pro"})),
            &[],
        )
        .await;
    assert_pending(&r, StatusCode::ACCEPTED);
    let r = owner.post("/v1/projects", json!({"name": "Docs"})).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    let project = r.body["id"].as_str().unwrap().to_owned();

    // Every write about it works: the commands know the project from its events.
    let note = json!({"title": "Note", "content": "Refunds take five days.", "content_type": "text/plain"});
    let first = owner.post(&format!("/v1/projects/{project}/documents"), note.clone()).await;
    assert_pending(&first, StatusCode::ACCEPTED);
    assert_eq!(first.body["document"]["status"], "pending", "{}", first.body);
    let first = first.body["document"]["id"].as_str().unwrap().to_owned();
    let settings =
        json!({"pii_policy": "flag", "injection_policy": "mark", "embedding_dimension": 2, "max_norm_z": 4.0});
    let r = owner.send(Method::PUT, &format!("/v1/projects/{project}/settings"), Some(settings), &[]).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    let r = owner.post(&format!("/v1/projects/{project}/api-keys"), json!({"name": "ci"})).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    assert_eq!(r.body["api_key"]["name"], "ci");
    let mut key = owner.with_bearer(r.body["secret"].as_str().unwrap());
    let second = key.post(&format!("/v1/projects/{project}/documents"), note).await;
    assert_pending(&second, StatusCode::ACCEPTED);
    let second = second.body["document"]["id"].as_str().unwrap().to_owned();
    let r = owner.delete(&format!("/v1/projects/{project}/documents/{first}")).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    // Its embeddings too, once ingestion indexed it (the documents read model is not held).
    let chunks = indexed_chunks(&server.db, &second).await;
    let vectors = vec![json!([1.0, 0.0]); chunks];
    let path = format!("/v1/projects/{project}/documents/{second}/embeddings");
    let r = key.send(Method::PUT, &path, Some(json!({ "embeddings": vectors })), &[]).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    assert_eq!(r.body["accepted"], chunks, "{}", r.body);

    let metrics = reqwest::get(format!("{}/metrics", server.base)).await.unwrap().text().await.unwrap();
    let pending = metrics.lines().find_map(|l| l.strip_prefix("writes_pending_total ")).unwrap_or("none");
    assert!(pending.parse::<u32>().is_ok_and(|n| n >= 8), "every write above answered 202: {pending}");

    // Reads of the owner and of the new key wait for them, and say so, rather than miss them.
    assert_behind(&owner.get(&format!("/v1/projects/{project}")).await);
    assert_behind(&owner.get("/v1/projects").await);
    assert_behind(&key.get(&format!("/v1/projects/{project}/documents")).await);

    held.close().await.unwrap();
    eventually(&mut owner, &format!("/v1/projects/{project}"), StatusCode::OK).await;
    let projects: ProjectList = owner.get("/v1/projects").await.json();
    assert_eq!(projects.projects.len(), 1);
    let documents: DocumentList = key.get(&format!("/v1/projects/{project}/documents")).await.json();
    assert_eq!(documents.documents.len(), 1, "the first was erased: {:?}", documents.documents);
    let settings = owner.get(&format!("/v1/projects/{project}/settings")).await;
    assert_eq!(settings.body["pii_policy"], "flag", "{}", settings.body);
}

/// The chunks of `document` once ingestion has indexed it, read from its read model directly:
/// the API makes the caller wait for the read model that is held back.
async fn indexed_chunks(db: &TestDatabase, document: &str) -> usize {
    let id: uuid::Uuid = document.parse().unwrap();
    for _ in 0..300 {
        let chunks: Option<i32> =
            sqlx::query_scalar("SELECT chunk_count FROM documents WHERE document_id = $1 AND status = 'indexed'")
                .bind(id)
                .fetch_optional(&db.pool)
                .await
                .unwrap();
        if let Some(chunks) = chunks {
            return usize::try_from(chunks).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("document {document} was not indexed in time");
}

#[tokio::test]
async fn a_key_the_api_keys_read_model_lacks_can_be_revoked_and_is_refused_once_it_catches_up() {
    let (server, held) = lagging("consistency_keys_behind", "api_keys").await;
    let mut owner = server.client();
    let (status, body) = owner.signup("Acme", "ada@acme.example.com", "pro").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let project = owner.post("/v1/projects", json!({"name": "Docs"})).await.body["id"].as_str().unwrap().to_owned();
    let r = owner.post(&format!("/v1/projects/{project}/api-keys"), json!({"name": "ci"})).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    let key_id = r.body["api_key"]["id"].as_str().unwrap().to_owned();
    let mut key = owner.with_bearer(r.body["secret"].as_str().unwrap());

    // The key exists only in the event store: using it waits, and says so rather than 401.
    assert_behind(&key.get(&format!("/v1/projects/{project}")).await);
    let r = owner.delete(&format!("/v1/projects/{project}/api-keys/{key_id}")).await;
    assert_pending(&r, StatusCode::ACCEPTED);
    let again = owner.delete(&format!("/v1/projects/{project}/api-keys/{key_id}")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "the event store knows it is revoked: {}", again.body);

    held.close().await.unwrap();
    let refused = eventually(&mut key, &format!("/v1/projects/{project}"), StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused.problem().kind(), Some(ProblemType::Unauthorized));
    let keys: ApiKeyList = owner.get(&format!("/v1/projects/{project}/api-keys")).await.json();
    assert!(keys.api_keys[0].revoked_at.is_some(), "{:?}", keys.api_keys);
}

#[tokio::test]
async fn signing_in_while_the_memberships_read_model_lacks_the_user_waits_rather_than_refuses() {
    let (server, held) = lagging("consistency_memberships_behind", "memberships").await;
    let mut owner = server.client();
    let (status, body) = owner.signup("Acme", "ada@acme.example.com", "pro").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let mut browser = server.client();
    assert_behind(&browser.login("ada@acme.example.com", PASSWORD).await);
    let wrong = browser.login("ada@acme.example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a wrong password is refused from the event store");

    held.close().await.unwrap();
    for _ in 0..300 {
        if browser.login("ada@acme.example.com", PASSWORD).await.status == StatusCode::OK {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("signing in never succeeded once the memberships caught up");
}

#[tokio::test]
async fn a_sign_out_the_sessions_read_model_lacks_still_ends_the_session() {
    let mut server = Server::start("consistency_sessions_behind").await;
    let mut owner = server.tenant("Acme", "pro").await;
    // Restart with the sessions projector held back: the session is in its read model, the
    // sign-out will not be.
    server.kill().await;
    let held = hold(&server.db, "sessions").await;
    let instance = server.another_instance(&[("CTXI_CONSISTENCY_WAIT_MS", "300")]).await;
    owner.base = instance.base.clone();
    assert_eq!(owner.get("/v1/me").await.status, StatusCode::OK);

    let mut stolen = owner.clone_session();
    let r = owner.post("/v1/logout", json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let r = stolen.get("/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the event store says the session ended: {}", r.body);
    let r = stolen.post("/v1/projects", json!({"name": "After sign-out"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    drop(held);
}
