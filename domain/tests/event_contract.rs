//! The stored shape of events: externally tagged by variant name, version "1", RFC 3339
//! timestamps, and personal data only inside `$personal` nodes.

use cqrs_es::DomainEvent;
use domain::embedding::{NormStats, Rejection};
use domain::{
    ApiKeyEvent, ApiKeyId, ChunkVector, Decide, DocumentEvent, DocumentFormat, DocumentId, DocumentTitle,
    EmailClaimEvent, EmbeddingsEvent, Metadata, MeterEvent, Personal, PiiKind, Plan, ProjectEvent, ProjectId,
    ProjectSettings, QuotaEvent, Role, SessionEvent, SessionId, Tenant, TenantEvent, TenantId, UsageMonth, UserEvent,
    UserId, PERSONAL_TAG,
};
use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00:00.5 UTC);
const USER: UserId = UserId::new(Uuid::from_u128(1));
const TENANT: TenantId = TenantId::new(Uuid::from_u128(2));
const PROJECT: ProjectId = ProjectId::new(Uuid::from_u128(3));

fn user_registered() -> UserEvent {
    UserEvent::UserRegistered {
        user_id: USER,
        email: Personal::new(USER.subject(), "ada@example.com".into()),
        name: Personal::new(USER.subject(), "Ada Lovelace".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        at: AT,
    }
}

/// Checks the contract every event shares and returns its payload (the value under its tag).
fn stored<E: DomainEvent>(event: &E) -> Value {
    assert_eq!(event.event_version(), "1");
    let json = serde_json::to_value(event).expect("serializes");
    let object = json.as_object().expect("an object");
    assert_eq!(object.len(), 1, "externally tagged: {json}");
    let payload = object.get(&event.event_type()).unwrap_or_else(|| panic!("tag is the event type: {json}"));
    assert_eq!(&serde_json::from_value::<E>(json.clone()).expect("reads back"), event, "round trip");
    payload.clone()
}

/// The event's type, once its stored shape has been checked.
fn type_of<E: DomainEvent>(event: &E) -> String {
    stored(event);
    event.event_type()
}

#[test]
fn user_registered_keeps_email_and_name_inside_personal_nodes() {
    let payload = stored(&user_registered());
    let subject = "user:00000000-0000-0000-0000-000000000001";
    assert_eq!(payload["email"], json!({ PERSONAL_TAG: { "subject": subject, "value": "ada@example.com" } }));
    assert_eq!(payload["name"], json!({ PERSONAL_TAG: { "subject": subject, "value": "Ada Lovelace" } }));
    let top_level_strings: Vec<&str> = payload.as_object().unwrap().values().filter_map(Value::as_str).collect();
    assert!(!top_level_strings.iter().any(|s| s.contains("ada@example.com") || s.contains("Ada")));
}

#[test]
fn user_renamed_keeps_the_name_inside_a_personal_node() {
    let event = UserEvent::UserRenamed { name: Personal::new(USER.subject(), "Ada King".into()), at: AT };
    assert!(stored(&event)["name"].get(PERSONAL_TAG).is_some());
}

#[test]
fn timestamps_are_stored_as_rfc3339() {
    let event = TenantEvent::PlanChanged { from: Plan::Free, to: Plan::Pro, at: AT };
    assert_eq!(stored(&event), json!({ "from": "free", "to": "pro", "at": "2025-03-01T12:00:00.5Z" }));
}

#[test]
fn every_event_is_tagged_with_its_type_and_round_trips() {
    let tenant = [
        TenantEvent::TenantCreated { tenant_id: TENANT, name: "Acme".into(), plan: Plan::Free, owner: USER, at: AT },
        TenantEvent::MemberAdded { user_id: USER, role: Role::Viewer, at: AT },
        TenantEvent::MemberRemoved { user_id: USER, at: AT },
        TenantEvent::ProjectAdded { project_id: PROJECT, at: AT },
        TenantEvent::PlanChanged { from: Plan::Free, to: Plan::Pro, at: AT },
    ];
    let user = [
        user_registered(),
        UserEvent::UserRenamed { name: Personal::new(USER.subject(), "Ada".into()), at: AT },
        UserEvent::PasswordChanged { password_hash: "$argon2id$x".into(), at: AT },
    ];
    let project = [
        ProjectEvent::ProjectCreated { project_id: PROJECT, tenant_id: TENANT, name: "Docs".into(), at: AT },
        ProjectEvent::ProjectRenamed { name: "Handbook".into(), at: AT },
        ProjectEvent::ProjectConfigured { settings: ProjectSettings::default(), at: AT },
    ];
    let api_key = [
        ApiKeyEvent::ApiKeyIssued {
            key_id: ApiKeyId::new(Uuid::from_u128(4)),
            tenant_id: TENANT,
            project_id: PROJECT,
            name: "CI".into(),
            prefix: "a1b2c3d4".into(),
            secret_hash: "h".into(),
            at: AT,
        },
        ApiKeyEvent::ApiKeyRevoked { at: AT },
    ];
    let types: Vec<String> = tenant.iter().map(type_of).collect();
    assert_eq!(types, ["TenantCreated", "MemberAdded", "MemberRemoved", "ProjectAdded", "PlanChanged"]);
    let types: Vec<String> = user.iter().map(type_of).collect();
    assert_eq!(types, ["UserRegistered", "UserRenamed", "PasswordChanged"]);
    let types: Vec<String> = project.iter().map(type_of).collect();
    assert_eq!(types, ["ProjectCreated", "ProjectRenamed", "ProjectConfigured"]);
    let types: Vec<String> = api_key.iter().map(type_of).collect();
    assert_eq!(types, ["ApiKeyIssued", "ApiKeyRevoked"]);
    let claimed = EmailClaimEvent::EmailClaimed { user_id: USER, at: AT };
    assert_eq!(type_of(&claimed), "EmailClaimed");
    let session = [
        SessionEvent::SessionStarted {
            session_id: SessionId::new(Uuid::from_u128(5)),
            user_id: USER,
            tenant_id: TENANT,
            token_hash: "h".into(),
            expires_at: AT,
            at: AT,
        },
        SessionEvent::SessionEnded { at: AT },
    ];
    let types: Vec<String> = session.iter().map(type_of).collect();
    assert_eq!(types, ["SessionStarted", "SessionEnded"]);
    let document = [
        document_uploaded(),
        DocumentEvent::DocumentIndexed {
            chunks: Personal::new(DOCUMENT.subject(), vec!["Hello".into()]),
            chunk_count: 1,
            pages: 1,
            pii: [(PiiKind::Email, 2)].into(),
            at: AT,
        },
        DocumentEvent::DocumentFailed { reason: "the PDF is encrypted".into(), at: AT },
        DocumentEvent::DocumentErased { at: AT },
    ];
    let types: Vec<String> = document.iter().map(type_of).collect();
    assert_eq!(types, ["DocumentUploaded", "DocumentIndexed", "DocumentFailed", "DocumentErased"]);
    let quota = [
        QuotaEvent::DocumentAdmitted { document_id: DOCUMENT, pages: 2, documents_total: 1, pages_total: 2, at: AT },
        QuotaEvent::DocumentReleased { document_id: DOCUMENT, pages: 2, documents_total: 0, pages_total: 0, at: AT },
    ];
    let types: Vec<String> = quota.iter().map(type_of).collect();
    assert_eq!(types, ["DocumentAdmitted", "DocumentReleased"]);
    let metered = MeterEvent::RetrievalsMetered {
        tenant_id: TENANT,
        month: UsageMonth { year: 2025, month: 3 },
        count: 2,
        total: 9,
        by_project: [(PROJECT, 2)].into(),
        at: AT,
    };
    assert_eq!(type_of(&metered), "RetrievalsMetered");
    let stats = NormStats { count: 1, mean: 5.0, m2: 0.0 };
    let embeddings = [
        EmbeddingsEvent::EmbeddingRejected {
            project_id: PROJECT,
            document_id: DOCUMENT,
            chunk: 0,
            rejection: Rejection::ZeroVector,
            stats,
            at: AT,
        },
        EmbeddingsEvent::EmbeddingsAccepted {
            project_id: PROJECT,
            document_id: DOCUMENT,
            count: 1,
            vectors: Personal::new(DOCUMENT.subject(), vec![ChunkVector { chunk: 1, vector: vec![3.0, 4.0] }]),
            stats,
            at: AT,
        },
    ];
    let types: Vec<String> = embeddings.iter().map(type_of).collect();
    assert_eq!(types, ["EmbeddingRejected", "EmbeddingsAccepted"]);
    assert_eq!(stored(&embeddings[0])["rejection"], json!({"reason": "zero_vector"}));
    let accepted = stored(&embeddings[1]);
    assert_eq!(
        accepted["vectors"][PERSONAL_TAG]["subject"],
        json!(DOCUMENT.subject().to_string()),
        "vectors are sealed"
    );
    assert_eq!(stored(&metered)["month"], json!({"year": 2025, "month": 3}));
}

const DOCUMENT: DocumentId = DocumentId::new(Uuid::from_u128(6));

fn document_uploaded() -> DocumentEvent {
    DocumentEvent::DocumentUploaded {
        document_id: DOCUMENT,
        project_id: PROJECT,
        tenant_id: TENANT,
        title: Personal::new(DOCUMENT.subject(), DocumentTitle::parse("Ada's notes").unwrap()),
        format: DocumentFormat::Markdown,
        metadata: Personal::new(DOCUMENT.subject(), Metadata::parse(json!({"team": "docs"})).unwrap()),
        content: Personal::new(DOCUMENT.subject(), "# Notes\nada@example.com".into()),
        bytes: 24,
        pages: 1,
        at: AT,
    }
}

#[test]
fn document_content_title_and_metadata_are_sealed_under_the_document() {
    let payload = stored(&document_uploaded());
    let subject = DOCUMENT.subject().to_string();
    for field in ["title", "metadata", "content"] {
        assert_eq!(payload[field][PERSONAL_TAG]["subject"], json!(subject), "{field} is personal");
    }
    assert_eq!(payload["format"], json!("text/markdown"));
    let indexed = DocumentEvent::DocumentIndexed {
        chunks: Personal::new(DOCUMENT.subject(), vec!["[EMAIL]".into()]),
        chunk_count: 1,
        pages: 1,
        pii: [(PiiKind::PaymentCard, 1)].into(),
        at: AT,
    };
    let payload = stored(&indexed);
    assert!(payload["chunks"].get(PERSONAL_TAG).is_some());
    assert_eq!(payload["pii"], json!({"payment_card": 1}));
}

#[test]
fn tenant_state_round_trips_as_a_snapshot() {
    let mut tenant = Tenant::default();
    tenant.apply(TenantEvent::TenantCreated {
        tenant_id: TENANT,
        name: "Acme".into(),
        plan: Plan::Pro,
        owner: USER,
        at: AT,
    });
    tenant.apply(TenantEvent::ProjectAdded { project_id: PROJECT, at: AT });
    let back: Tenant = serde_json::from_value(serde_json::to_value(&tenant).unwrap()).unwrap();
    assert_eq!(back.role_of(USER), Some(Role::Owner));
    assert!(back.has_project(PROJECT));
    assert_eq!(back.plan(), Plan::Pro);
}
