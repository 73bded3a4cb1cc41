//! A realistic log for the rebuild and verify benches: per tenant, the events a signup, three
//! projects with two API keys each, a revocation and a plan change produce (21 events in six
//! kinds of stream, one sealed subject).

use std::sync::Arc;

use domain::{
    ApiKeyEvent, ApiKeyId, EmailClaimEvent, Personal, Plan, ProjectEvent, ProjectId, TenantEvent, TenantId, UserEvent,
    UserId,
};
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, PostgresStore, StreamAppend, StreamId,
};
use indicatif::{ProgressBar, ProgressStyle};
use time::OffsetDateTime;
use uuid::Uuid;

pub const EVENTS_PER_TENANT: usize = 21;
const WRITERS: usize = 8;

/// Appends at least `events` events, one tenant per append, from several writers.
pub async fn populate(store: &Arc<PostgresStore>, events: usize) -> anyhow::Result<usize> {
    let tenants = events.div_ceil(EVENTS_PER_TENANT);
    let bar = ProgressBar::new((tenants * EVENTS_PER_TENANT) as u64).with_style(
        ProgressStyle::with_template("generating {bar:40} {pos}/{len} events ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, bar) = (store.clone(), bar.clone());
            tokio::spawn(async move {
                for _ in (w..tenants).step_by(WRITERS) {
                    store.append(tenant_request()?).await?;
                    bar.inc(EVENTS_PER_TENANT as u64);
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    bar.finish_and_clear();
    Ok(tenants * EVENTS_PER_TENANT)
}

fn stream(kind: &str, id: impl std::fmt::Display, events: Vec<NewEvent>) -> StreamAppend {
    StreamAppend { stream: StreamId::new(kind, id), expected: ExpectedVersion::NoStream, events }
}

fn tenant_request() -> anyhow::Result<AppendRequest> {
    let at = OffsetDateTime::now_utc();
    let (tenant_id, user_id) = (TenantId::new(Uuid::now_v7()), UserId::new(Uuid::now_v7()));
    let user = vec![NewEvent::from_domain(&UserEvent::UserRegistered {
        user_id,
        email: Personal::new(user_id.subject(), format!("{user_id}@example.com")),
        name: Personal::new(user_id.subject(), "Bench User".to_owned()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
        at,
    })?];
    let claim = vec![NewEvent::from_domain(&EmailClaimEvent::EmailClaimed { user_id, at })?];
    let projects: Vec<ProjectId> = (0..3).map(|_| ProjectId::new(Uuid::now_v7())).collect();
    let mut tenant = vec![NewEvent::from_domain(&TenantEvent::TenantCreated {
        tenant_id,
        name: "Bench Tenant".into(),
        plan: Plan::Starter,
        owner: user_id,
        at,
    })?];
    let mut streams = Vec::new();
    for (i, &project_id) in projects.iter().enumerate() {
        tenant.push(NewEvent::from_domain(&TenantEvent::ProjectAdded { project_id, at })?);
        streams.push(stream(
            "project",
            project_id,
            vec![
                NewEvent::from_domain(&ProjectEvent::ProjectCreated {
                    project_id,
                    tenant_id,
                    name: format!("Project {i}"),
                    at,
                })?,
                NewEvent::from_domain(&ProjectEvent::ProjectRenamed { name: format!("Project {i} (renamed)"), at })?,
            ],
        ));
        for k in 0..2 {
            let key_id = ApiKeyId::new(Uuid::now_v7());
            let mut events = vec![NewEvent::from_domain(&ApiKeyEvent::ApiKeyIssued {
                key_id,
                tenant_id,
                project_id,
                name: format!("key {k}"),
                prefix: format!("{:08x}", key_id.as_uuid().as_u128() as u32),
                secret_hash: "0".repeat(64),
                at,
            })?];
            if k == 1 && i < 2 {
                events.push(NewEvent::from_domain(&ApiKeyEvent::ApiKeyRevoked { at })?);
            }
            streams.push(stream("api_key", key_id, events));
        }
    }
    tenant.push(NewEvent::from_domain(&TenantEvent::PlanChanged { from: Plan::Starter, to: Plan::Pro, at })?);
    streams.push(stream("tenant", tenant_id, tenant));
    streams.push(stream("user", user_id, user));
    streams.push(stream("email_claim", Uuid::now_v7().simple(), claim));
    Ok(AppendRequest {
        streams,
        metadata: EventMetadata::system("bench", Some(tenant_id.as_uuid()), at),
        idempotency: None,
        result: serde_json::Value::Null,
    })
}
