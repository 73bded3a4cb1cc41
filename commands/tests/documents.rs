//! Documents: uploads within the plan's allowance (also under races, on PostgreSQL), the
//! worker's outcome recorded once, and erasure by crypto-shredding.

mod support;

use std::sync::Arc;

use commands::{CommandError, Commands, IndexingOutcome, UploadInput};
use domain::{Decide, DocumentEvent, DocumentFormat, DocumentId, DocumentQuota, ProjectId, QuotaEvent, TenantId};
use eventstore::testing::TestDatabase;
use eventstore::{
    Actor, AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, PostgresStore, StreamAppend, StreamId,
};
use serde_json::json;
use support::*;
use uuid::Uuid;

fn text(title: &str, body: &str) -> UploadInput {
    UploadInput {
        title: title.into(),
        format: DocumentFormat::Markdown,
        metadata: json!({"team": "docs"}),
        bytes: body.into(),
    }
}

async fn project<S: EventStore>(commands: &Commands<S>, plan: &str) -> (TenantId, ProjectId, commands::CommandContext) {
    let (tenant, owner) = tenant_with_owner(commands, "ada@example.com", plan).await;
    let project = commands.create_project(&owner, tenant, "Docs").await.unwrap().project_id;
    (tenant, project, owner)
}

/// Puts the tenant's allowance at `documents` documents and `pages` pages, as if uploaded.
async fn seed_quota<S: EventStore>(commands: &Commands<S>, tenant: TenantId, documents: u64, pages: u64) {
    let event = QuotaEvent::DocumentAdmitted {
        document_id: DocumentId::new(Uuid::now_v7()),
        pages: 1,
        documents_total: documents,
        pages_total: pages,
        at: at(),
    };
    let metadata = EventMetadata {
        tenant_id: Some(tenant.as_uuid()),
        actor: Actor::System("test".into()),
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        traceparent: None,
        recorded_at: at(),
    };
    let request = AppendRequest {
        streams: vec![StreamAppend {
            stream: StreamId::new(DocumentQuota::TYPE, tenant),
            expected: ExpectedVersion::Any,
            events: vec![NewEvent::from_domain(&event).unwrap()],
        }],
        metadata,
        idempotency: None,
        result: json!(null),
    };
    commands.store().append(request).await.unwrap();
}

#[tokio::test]
async fn an_upload_is_sealed_counted_and_indexed_once() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "free").await;
    let accepted = commands.upload_document(&owner, tenant, project, text("Guide", "# Guide\n\nHello")).await.unwrap();
    assert_eq!(accepted.pages, 1);
    let indexed = IndexingOutcome::Indexed { chunks: vec!["Hello".into()], pages: 1, pii: Default::default() };
    let first = commands.record_indexing(at(), accepted.document_id, indexed.clone()).await.unwrap();
    let again = commands.record_indexing(at(), accepted.document_id, indexed).await.unwrap();
    assert!(first > accepted.position);
    assert_eq!(again, eventstore::Position::START, "a second outcome records nothing");
    let types: Vec<String> = all_events(&commands).await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(types.iter().filter(|t| *t == "DocumentIndexed").count(), 1);
    assert!(types.contains(&"DocumentAdmitted".to_owned()));
}

#[tokio::test]
async fn strangers_and_other_tenants_find_no_project() {
    let commands = in_memory();
    let (tenant, project, _) = project(&commands, "pro").await;
    let stranger = as_user(domain::UserId::new(Uuid::now_v7()));
    let err = commands.upload_document(&stranger, tenant, project, text("T", "x")).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("tenant")), "{err:?}");
    let (other_tenant, owner) = tenant_with_owner(&commands, "bob@example.com", "pro").await;
    let err = commands.upload_document(&owner, other_tenant, project, text("T", "x")).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("project")), "{err:?}");
}

#[tokio::test]
async fn api_keys_upload_only_into_their_own_project() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "pro").await;
    let other = commands.create_project(&owner, tenant, "Other").await.unwrap().project_id;
    let key = commands.issue_api_key(&owner, tenant, project, "CI").await.unwrap();
    let as_key = commands::CommandContext::new(Actor::ApiKey(key.key_id.as_uuid()), at());
    commands.upload_document(&as_key, tenant, project, text("T", "x")).await.unwrap();
    let err = commands.upload_document(&as_key, tenant, other, text("T", "x")).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("project")), "{err:?}");
    commands.revoke_api_key(&owner, tenant, project, key.key_id).await.unwrap();
    let err = commands.upload_document(&as_key, tenant, project, text("T", "x")).await.unwrap_err();
    assert!(matches!(err, CommandError::NotFound("project")), "a revoked key: {err:?}");
}

#[tokio::test]
async fn a_full_allowance_refuses_with_the_limit_and_erasing_gives_it_back() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "free").await;
    let kept = commands.upload_document(&owner, tenant, project, text("Kept", "x")).await.unwrap();
    seed_quota(&commands, tenant, 1_000, 1_000).await;
    let err = commands.upload_document(&owner, tenant, project, text("One too many", "x")).await.unwrap_err();
    match err {
        CommandError::QuotaExceeded { resource, limit, resets_at, .. } => {
            assert_eq!((resource, limit, resets_at), ("documents", 1_000, None));
        }
        other => panic!("expected a quota refusal, got {other:?}"),
    }
    commands.erase_document(&owner, tenant, project, kept.document_id).await.unwrap();
    commands.upload_document(&owner, tenant, project, text("Fits again", "x")).await.unwrap();
}

#[tokio::test]
async fn pages_over_the_allowance_are_refused_before_anything_is_stored() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "free").await;
    seed_quota(&commands, tenant, 1, 9_999).await;
    let two_pages = "word ".repeat(700);
    let err = commands.upload_document(&owner, tenant, project, text("Long", &two_pages)).await.unwrap_err();
    assert!(matches!(err, CommandError::QuotaExceeded { resource: "pages", limit: 10_000, .. }), "{err:?}");
    assert!(!all_events(&commands).await.iter().any(|e| e.event_type == "DocumentUploaded"));
}

#[tokio::test]
async fn erasing_shreds_the_content_and_a_second_erase_changes_nothing() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "free").await;
    let accepted = commands.upload_document(&owner, tenant, project, text("Secret", "ada@example.com")).await.unwrap();
    commands.erase_document(&owner, tenant, project, accepted.document_id).await.unwrap();
    let again = commands.erase_document(&owner, tenant, project, accepted.document_id).await.unwrap();
    assert_eq!(again, eventstore::Position::START);
    let uploaded = all_events(&commands)
        .await
        .into_iter()
        .find(|e| e.event_type == "DocumentUploaded")
        .unwrap()
        .decode::<DocumentEvent>()
        .unwrap();
    let DocumentEvent::DocumentUploaded { content, title, .. } = uploaded else { unreachable!() };
    assert!(content.is_erased() && title.is_erased(), "content and title read back erased");
}

#[tokio::test]
async fn unreadable_content_is_refused_with_a_reason() {
    let commands = in_memory();
    let (tenant, project, owner) = project(&commands, "free").await;
    let pdf = UploadInput {
        title: "Broken".into(),
        format: DocumentFormat::Pdf,
        metadata: json!(null),
        bytes: b"%PDF-1.7 not really".to_vec(),
    };
    let err = commands.upload_document(&owner, tenant, project, pdf).await.unwrap_err();
    assert!(matches!(err, CommandError::Unreadable(_)), "{err:?}");
    let not_utf8 = UploadInput { bytes: vec![0xff, 0xfe, 0x00], ..text("Bad", "") };
    assert!(commands.upload_document(&owner, tenant, project, not_utf8).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_never_overshoot_the_document_allowance() {
    let db = TestDatabase::create("documents_race").await;
    let commands: Arc<Commands<PostgresStore>> = Arc::new(Commands::new(Arc::new(db.store().await), secrets()));
    let (tenant, project, owner) = project(&commands, "free").await;
    seed_quota(&commands, tenant, 998, 998).await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (commands, owner) = (Arc::clone(&commands), owner.clone());
            tokio::spawn(async move {
                commands.upload_document(&owner, tenant, project, text(&format!("Doc {i}"), "x")).await
            })
        })
        .collect();
    let results: Vec<_> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(CommandError::QuotaExceeded { .. }) | Err(CommandError::Conflict)))
        .count();
    assert_eq!((accepted, refused), (2, 8), "{results:?}");
    let uploaded: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'DocumentUploaded'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(uploaded, 2);
}

/// A store on which the document's erasure lands between the embeddings command's check of
/// the document and its append: it shreds the subject just before the embeddings append.
struct ErasedMeanwhile<S> {
    inner: S,
    subject: std::sync::Mutex<Option<domain::SubjectId>>,
}

#[async_trait::async_trait]
impl<S: EventStore> EventStore for ErasedMeanwhile<S> {
    async fn append(&self, request: AppendRequest) -> Result<eventstore::Committed, eventstore::AppendError> {
        let embeddings = request.streams.iter().any(|s| s.stream.aggregate_type == domain::ProjectEmbeddings::TYPE);
        let subject = if embeddings { self.subject.lock().unwrap().take() } else { None };
        if let Some(subject) = subject {
            assert!(self.inner.shred(&subject).await.unwrap());
        }
        self.inner.append(request).await
    }
    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<eventstore::RecordedEvent>, eventstore::StoreError> {
        self.inner.read_stream(stream).await
    }
    async fn read_last(&self, stream: &StreamId) -> Result<Option<eventstore::RecordedEvent>, eventstore::StoreError> {
        self.inner.read_last(stream).await
    }
    async fn read_all(
        &self,
        after: eventstore::Position,
        limit: usize,
    ) -> Result<Vec<eventstore::RecordedEvent>, eventstore::StoreError> {
        self.inner.read_all(after, limit).await
    }
    async fn replay(
        &self,
        idempotency: &eventstore::Idempotency,
    ) -> Result<Option<eventstore::Committed>, eventstore::AppendError> {
        self.inner.replay(idempotency).await
    }
    async fn shred(&self, subject: &domain::SubjectId) -> Result<bool, eventstore::StoreError> {
        self.inner.shred(subject).await
    }
}

#[tokio::test]
async fn embeddings_decided_before_an_erasure_are_not_sealed_after_it() {
    let db = TestDatabase::create("embeddings_after_erasure").await;
    let store = ErasedMeanwhile { inner: db.store().await, subject: Default::default() };
    let commands = Commands::new(Arc::new(store), secrets());
    let (tenant, project, owner) = project(&commands, "free").await;
    let settings = domain::ProjectSettings { embedding_dimension: Some(2), ..Default::default() };
    commands.configure_project(&owner, tenant, project, settings).await.unwrap();
    let accepted = commands.upload_document(&owner, tenant, project, text("Guide", "Hello")).await.unwrap();
    let indexed = IndexingOutcome::Indexed { chunks: vec!["Hello".into()], pages: 1, pii: Default::default() };
    commands.record_indexing(at(), accepted.document_id, indexed).await.unwrap();

    *commands.store().subject.lock().unwrap() = Some(accepted.document_id.subject());
    let late = commands.submit_embeddings(&owner, tenant, project, accepted.document_id, vec![vec![0.6, 0.8]]).await;
    assert!(matches!(late, Err(CommandError::NotFound("document"))), "{late:?}");
    let types: Vec<String> = all_events(&commands).await.into_iter().map(|e| e.event_type).collect();
    assert!(!types.iter().any(|t| t.starts_with("Embedding")), "nothing recorded: {types:?}");
}
