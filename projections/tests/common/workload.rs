//! Realistic events: what signups do, one at a time or many per append.

use domain::embedding::{NormStats, Rejection};
use domain::{
    ApiKeyEvent, ApiKeyId, ChunkVector, DocumentEvent, DocumentFormat, DocumentId, DocumentTitle, EmailClaimEvent,
    EmbeddingsEvent, Metadata, MeterEvent, Personal, PiiKind, PiiPolicy, Plan, ProjectEvent, ProjectId,
    ProjectSettings, QuotaEvent, Role, SessionEvent, SessionId, TenantEvent, TenantId, UsageMonth, UserEvent, UserId,
};
use eventstore::EventStore;
use eventstore::{Position, PostgresStore};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{append, at};

/// The ids a [`signup`] created.
#[derive(Debug, Clone)]
pub struct Signup {
    pub user: UserId,
    pub tenant: TenantId,
    pub project: ProjectId,
    /// The active key, then the revoked one.
    pub keys: [ApiKeyId; 2],
    pub claim: String,
    pub last: Position,
}

/// Events one [`signup`] appends.
pub const EVENTS_PER_SIGNUP: usize = 26;

/// Everything one signup does, across all eight kinds of stream: a user with an email claim, a
/// tenant they own with a second member who leaves, a session that ends, a project (renamed,
/// configured) with two keys, one revoked, a plan change, three documents (one indexed, one
/// failed, one indexed and then erased, its key shredded) with their allowance, embeddings for
/// the indexed one (one refused), and metered retrievals.
pub async fn signup(store: &PostgresStore, minute: i64) -> Signup {
    let t = at(minute);
    let (user, other) = (UserId::new(Uuid::now_v7()), UserId::new(Uuid::now_v7()));
    let (tenant, project) = (TenantId::new(Uuid::now_v7()), ProjectId::new(Uuid::now_v7()));
    let email = Personal::new(user.subject(), format!("{user}@example.com"));
    let name = Personal::new(user.subject(), "Ada".to_owned());
    let registered = UserEvent::UserRegistered { user_id: user, email, name, password_hash: "h".into(), at: t };
    append(store, "user", user, vec![new_event!(registered)], t).await;
    let claimed = EmailClaimEvent::EmailClaimed { user_id: user, at: t };
    let claim = Uuid::now_v7().simple().to_string();
    append(store, "email_claim", &claim, vec![new_event!(claimed)], t).await;
    let tenant_events = vec![
        new_event!(TenantEvent::TenantCreated {
            tenant_id: tenant,
            name: "Acme".into(),
            plan: Plan::Free,
            owner: user,
            at: t
        }),
        new_event!(TenantEvent::MemberAdded { user_id: other, role: Role::Viewer, at: t }),
        new_event!(TenantEvent::ProjectAdded { project_id: project, at: t }),
        new_event!(TenantEvent::MemberRemoved { user_id: other, at: t }),
        new_event!(TenantEvent::PlanChanged { from: Plan::Free, to: Plan::Pro, at: t }),
    ];
    append(store, "tenant", tenant, tenant_events, t).await;
    let session_id = SessionId::new(Uuid::now_v7());
    let session = vec![
        new_event!(SessionEvent::SessionStarted {
            session_id,
            user_id: user,
            tenant_id: tenant,
            token_hash: "0".repeat(64),
            expires_at: at(minute + 60),
            at: t,
        }),
        new_event!(SessionEvent::SessionEnded { at: t }),
    ];
    append(store, "session", session_id, session, t).await;
    let created = ProjectEvent::ProjectCreated { project_id: project, tenant_id: tenant, name: "Docs".into(), at: t };
    let renamed = ProjectEvent::ProjectRenamed { name: "Handbook".into(), at: t };
    let settings = ProjectSettings { pii_policy: PiiPolicy::Flag, ..ProjectSettings::default() };
    let configured = ProjectEvent::ProjectConfigured { settings, at: t };
    append(store, "project", project, vec![new_event!(created), new_event!(renamed), new_event!(configured)], t).await;
    let keys = [ApiKeyId::new(Uuid::now_v7()), ApiKeyId::new(Uuid::now_v7())];
    for (i, key_id) in keys.into_iter().enumerate() {
        let revoke = i == 1;
        let mut events = vec![new_event!(ApiKeyEvent::ApiKeyIssued {
            key_id,
            tenant_id: tenant,
            project_id: project,
            name: format!("key {i}"),
            prefix: format!("{:08x}", key_id.as_uuid().as_u128() as u32),
            secret_hash: "0".repeat(64),
            at: t,
        })];
        if revoke {
            events.push(new_event!(ApiKeyEvent::ApiKeyRevoked { at: t }));
        }
        append(store, "api_key", key_id, events, t).await;
    }
    let indexed = documents(store, tenant, project, t).await;
    let stats = NormStats { count: 2, mean: 1.0, m2: 0.0 };
    let embeddings = vec![
        new_event!(EmbeddingsEvent::EmbeddingRejected {
            project_id: project,
            document_id: indexed,
            chunk: 1,
            rejection: Rejection::ZeroVector,
            stats,
            at: t,
        }),
        new_event!(EmbeddingsEvent::EmbeddingsAccepted {
            project_id: project,
            document_id: indexed,
            count: 1,
            vectors: Personal::new(indexed.subject(), vec![ChunkVector { chunk: 0, vector: vec![0.6, 0.8] }]),
            stats,
            at: t,
        }),
    ];
    append(store, "project_embeddings", project, embeddings, t).await;
    let admitted = QuotaEvent::DocumentAdmitted {
        document_id: DocumentId::new(Uuid::now_v7()),
        pages: 3,
        documents_total: 2,
        pages_total: 3,
        at: t,
    };
    append(store, "document_quota", tenant, vec![new_event!(admitted)], t).await;
    let month = UsageMonth::of(t);
    let metered = MeterEvent::RetrievalsMetered {
        tenant_id: tenant,
        month,
        count: 7,
        total: 7,
        by_project: [(project, 7)].into(),
        at: t,
    };
    let last = append(store, "retrieval_meter", format!("{tenant}:{month}"), vec![new_event!(metered)], t).await;
    Signup { user, tenant, project, keys, claim, last }
}

/// An indexed document, a failed one, and an erased one; returns the indexed one.
async fn documents(store: &PostgresStore, tenant: TenantId, project: ProjectId, t: OffsetDateTime) -> DocumentId {
    let mut indexed_id = None;
    for (i, outcome) in ["indexed", "failed", "erased"].into_iter().enumerate() {
        let id = DocumentId::new(Uuid::now_v7());
        let subject = id.subject();
        let uploaded = DocumentEvent::DocumentUploaded {
            document_id: id,
            project_id: project,
            tenant_id: tenant,
            title: Personal::new(subject.clone(), DocumentTitle::parse(&format!("Doc {i}")).unwrap()),
            format: DocumentFormat::Markdown,
            metadata: Personal::new(subject.clone(), Metadata::parse(serde_json::json!({"n": i})).unwrap()),
            content: Personal::new(subject.clone(), "# Refunds\n\nWrite to ada@example.com.".into()),
            bytes: 38,
            pages: 1,
            at: t,
        };
        let indexed = DocumentEvent::DocumentIndexed {
            chunks: Personal::new(subject.clone(), vec!["# Refunds".into(), "Write to [EMAIL].".into()]),
            chunk_count: 2,
            pages: 1,
            pii: [(PiiKind::Email, 1)].into(),
            at: t,
        };
        let events = match outcome {
            "indexed" => vec![new_event!(uploaded), new_event!(indexed)],
            "failed" => vec![
                new_event!(uploaded),
                new_event!(DocumentEvent::DocumentFailed { reason: "no text".into(), at: t }),
            ],
            _ => vec![new_event!(uploaded), new_event!(indexed), new_event!(DocumentEvent::DocumentErased { at: t })],
        };
        append(store, "document", id, events, t).await;
        indexed_id = indexed_id.or((outcome == "indexed").then_some(id));
        if outcome == "erased" {
            store.shred(&subject).await.expect("shred the erased document's key");
        }
    }
    indexed_id.expect("the indexed document")
}
