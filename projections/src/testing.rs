//! A realistic event log for tests and benches: what signups, projects and API keys produce.
//! Behind the `testing` feature; `ctxi bench rebuild` and the rebuild tests use it.

// Test support fails loudly.
#![allow(clippy::expect_used)]

use domain::{
    ApiKeyEvent, ApiKeyId, EmailClaimEvent, Personal, Plan, ProjectEvent, ProjectId, SessionEvent, SessionId,
    TenantEvent, TenantId, UserEvent, UserId,
};
use eventstore::{AppendRequest, EventMetadata, ExpectedVersion, NewEvent, StreamAppend, StreamId};
use time::OffsetDateTime;
use uuid::Uuid;

fn event(e: &impl cqrs_es::DomainEvent) -> NewEvent {
    NewEvent::from_domain(e).expect("domain events serialise")
}

/// Events per tenant in [`tenants_request`].
pub const EVENTS_PER_TENANT: usize = 23;

fn stream(kind: &str, id: impl std::fmt::Display, events: Vec<NewEvent>) -> StreamAppend {
    StreamAppend { stream: StreamId::new(kind, id), expected: ExpectedVersion::NoStream, events }
}

/// One append of `tenants` signups' worth of events like `ctxi bench rebuild` makes: per
/// tenant a user, a claim, the tenant with three projects (renamed) of two keys each (two
/// revoked), a plan change, and a session that ends: 23 events.
pub fn tenants_request(tenants: usize, at: OffsetDateTime) -> AppendRequest {
    let mut streams = Vec::new();
    for _ in 0..tenants {
        streams.extend(tenant_streams(at));
    }
    AppendRequest {
        streams,
        metadata: EventMetadata::system("bench", None, at),
        idempotency: None,
        result: serde_json::Value::Null,
    }
}

fn tenant_streams(at: OffsetDateTime) -> Vec<StreamAppend> {
    let (tenant_id, user_id) = (TenantId::new(Uuid::now_v7()), UserId::new(Uuid::now_v7()));
    let registered = UserEvent::UserRegistered {
        user_id,
        email: Personal::new(user_id.subject(), format!("{user_id}@example.com")),
        name: Personal::new(user_id.subject(), "Bench User".to_owned()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        at,
    };
    let claimed = EmailClaimEvent::EmailClaimed { user_id, at };
    let mut streams = vec![
        stream("user", user_id, vec![event(&registered)]),
        stream("email_claim", Uuid::now_v7().simple(), vec![event(&claimed)]),
    ];
    let plan = Plan::Starter;
    let name = "Bench Tenant".to_owned();
    let mut tenant = vec![event(&TenantEvent::TenantCreated { tenant_id, name, plan, owner: user_id, at })];
    for i in 0..3 {
        let project_id = ProjectId::new(Uuid::now_v7());
        tenant.push(event(&TenantEvent::ProjectAdded { project_id, at }));
        let (name, renamed) = (format!("Project {i}"), format!("Project {i} (renamed)"));
        let project = vec![
            event(&ProjectEvent::ProjectCreated { project_id, tenant_id, name, at }),
            event(&ProjectEvent::ProjectRenamed { name: renamed, at }),
        ];
        streams.push(stream("project", project_id, project));
        for k in 0..2 {
            let key_id = ApiKeyId::new(Uuid::now_v7());
            let mut events = vec![event(&ApiKeyEvent::ApiKeyIssued {
                key_id,
                tenant_id,
                project_id,
                name: format!("key {k}"),
                prefix: format!("{:08x}", key_id.as_uuid().as_u128() as u32),
                secret_hash: "0".repeat(64),
                at,
            })];
            if k == 1 && i < 2 {
                events.push(event(&ApiKeyEvent::ApiKeyRevoked { at }));
            }
            streams.push(stream("api_key", key_id, events));
        }
    }
    tenant.push(event(&TenantEvent::PlanChanged { from: Plan::Starter, to: Plan::Pro, at }));
    streams.push(stream("tenant", tenant_id, tenant));
    let session_id = SessionId::new(Uuid::now_v7());
    let session = vec![
        event(&SessionEvent::SessionStarted {
            session_id,
            user_id,
            tenant_id,
            token_hash: "0".repeat(64),
            expires_at: at + time::Duration::hours(1),
            at,
        }),
        event(&SessionEvent::SessionEnded { at }),
    ];
    streams.push(stream("session", session_id, session));
    streams
}
