//! Realistic events: what signups do, one at a time or many per append.

use domain::{
    ApiKeyEvent, ApiKeyId, EmailClaimEvent, Personal, Plan, ProjectEvent, ProjectId, Role, TenantEvent, TenantId,
    UserEvent, UserId,
};
use eventstore::{
    AppendRequest, EventMetadata, ExpectedVersion, NewEvent, Position, PostgresStore, StreamAppend, StreamId,
};
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

/// Everything one signup does, across all six kinds of stream: a user with an email claim, a
/// tenant they own with a second member who leaves, a project (renamed) with two keys, one
/// revoked, and a plan change.
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
    let created = ProjectEvent::ProjectCreated { project_id: project, tenant_id: tenant, name: "Docs".into(), at: t };
    let renamed = ProjectEvent::ProjectRenamed { name: "Handbook".into(), at: t };
    append(store, "project", project, vec![new_event!(created), new_event!(renamed)], t).await;
    let keys = [ApiKeyId::new(Uuid::now_v7()), ApiKeyId::new(Uuid::now_v7())];
    let mut last = Position::START;
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
        last = append(store, "api_key", key_id, events, t).await;
    }
    Signup { user, tenant, project, keys, claim, last }
}

/// Events per tenant in [`tenants_request`].
pub const EVENTS_PER_TENANT: usize = 21;

fn stream(kind: &str, id: impl std::fmt::Display, events: Vec<NewEvent>) -> StreamAppend {
    StreamAppend { stream: StreamId::new(kind, id), expected: ExpectedVersion::NoStream, events }
}

/// One append of `tenants` signups' worth of events like `ctxi bench rebuild` makes: per
/// tenant a user, a claim, the tenant with three projects (renamed) of two keys each (two
/// revoked) and a plan change, 21 events.
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
        stream("user", user_id, vec![new_event!(registered)]),
        stream("email_claim", Uuid::now_v7().simple(), vec![new_event!(claimed)]),
    ];
    let plan = Plan::Starter;
    let name = "Bench Tenant".to_owned();
    let mut tenant = vec![new_event!(TenantEvent::TenantCreated { tenant_id, name, plan, owner: user_id, at })];
    for i in 0..3 {
        let project_id = ProjectId::new(Uuid::now_v7());
        tenant.push(new_event!(TenantEvent::ProjectAdded { project_id, at }));
        let (name, renamed) = (format!("Project {i}"), format!("Project {i} (renamed)"));
        let project = vec![
            new_event!(ProjectEvent::ProjectCreated { project_id, tenant_id, name, at }),
            new_event!(ProjectEvent::ProjectRenamed { name: renamed, at }),
        ];
        streams.push(stream("project", project_id, project));
        for k in 0..2 {
            let key_id = ApiKeyId::new(Uuid::now_v7());
            let mut events = vec![new_event!(ApiKeyEvent::ApiKeyIssued {
                key_id,
                tenant_id,
                project_id,
                name: format!("key {k}"),
                prefix: format!("{:08x}", key_id.as_uuid().as_u128() as u32),
                secret_hash: "0".repeat(64),
                at,
            })];
            if k == 1 && i < 2 {
                events.push(new_event!(ApiKeyEvent::ApiKeyRevoked { at }));
            }
            streams.push(stream("api_key", key_id, events));
        }
    }
    tenant.push(new_event!(TenantEvent::PlanChanged { from: Plan::Starter, to: Plan::Pro, at }));
    streams.push(stream("tenant", tenant_id, tenant));
    streams
}
