//! Each read model projects its events correctly, whether a batch holds one event (changes
//! meet rows from earlier batches) or the whole log (changes folded in memory).

mod common;

use common::{append, at, database, project, signup, MODES};
use domain::{Personal, ProjectId, Role, TenantEvent, TenantId, UserEvent, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// `users`: user_id, email, name, erased, created_at.
type UserRow = (Uuid, Option<String>, Option<String>, bool, OffsetDateTime);
/// `api_keys`: key_id, tenant_id, project_id, name, secret_hash, created_at, revoked_at.
type ApiKeyRow = (Uuid, Uuid, Uuid, String, String, OffsetDateTime, Option<OffsetDateTime>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_track_plan_and_counts_of_projects_and_members() {
    let (_db, store) = database("rm_tenants").await;
    let acme = signup(&store, 0).await;
    let (globex, owner) = (TenantId::new(Uuid::now_v7()), UserId::new(Uuid::now_v7()));
    let mut events = vec![new_event!(TenantEvent::TenantCreated {
        tenant_id: globex,
        name: "Globex".into(),
        plan: domain::Plan::Starter,
        owner,
        at: at(1),
    })];
    for _ in 0..2 {
        events.push(new_event!(TenantEvent::ProjectAdded { project_id: ProjectId::new(Uuid::now_v7()), at: at(2) }));
        events.push(new_event!(TenantEvent::MemberAdded {
            user_id: UserId::new(Uuid::now_v7()),
            role: Role::Member,
            at: at(2)
        }));
    }
    append(&store, "tenant", globex, events, at(2)).await;

    for mode in MODES {
        project(&store, mode).await;
        let rows: Vec<(Uuid, String, String, OffsetDateTime, i64, i64)> = sqlx::query_as(
            "SELECT tenant_id, name, plan, created_at, project_count, member_count FROM tenants ORDER BY name",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (acme.tenant.as_uuid(), "Acme".into(), "pro".into(), at(0), 1, 1),
                (globex.as_uuid(), "Globex".into(), "starter".into(), at(1), 2, 3),
            ],
            "{mode:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_show_current_name_and_email_until_erased() {
    let (_db, store) = database("rm_users").await;
    let ada = signup(&store, 0).await;
    let renamed = UserEvent::UserRenamed { name: Personal::new(ada.user.subject(), "Ada L.".into()), at: at(5) };
    let password = UserEvent::PasswordChanged { password_hash: "h2".into(), at: at(6) };
    append(&store, "user", ada.user, vec![new_event!(renamed), new_event!(password)], at(6)).await;

    for mode in MODES {
        project(&store, mode).await;
        let rows: Vec<UserRow> = sqlx::query_as("SELECT user_id, email, name, erased, created_at FROM users")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let email = format!("{}@example.com", ada.user);
        assert_eq!(rows, vec![(ada.user.as_uuid(), Some(email), Some("Ada L.".into()), false, at(0))], "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_list_current_members_and_drop_removed_ones() {
    let (_db, store) = database("rm_members").await;
    let acme = signup(&store, 0).await;
    let (bob, carol) = (UserId::new(Uuid::now_v7()), UserId::new(Uuid::now_v7()));
    let events = vec![
        new_event!(TenantEvent::MemberAdded { user_id: bob, role: Role::Member, at: at(1) }),
        new_event!(TenantEvent::MemberAdded { user_id: carol, role: Role::Viewer, at: at(2) }),
        new_event!(TenantEvent::MemberRemoved { user_id: bob, at: at(3) }),
        new_event!(TenantEvent::MemberAdded { user_id: bob, role: Role::Admin, at: at(4) }),
        new_event!(TenantEvent::MemberRemoved { user_id: carol, at: at(5) }),
    ];
    append(&store, "tenant", acme.tenant, events, at(5)).await;

    for mode in MODES {
        project(&store, mode).await;
        let mut rows: Vec<(Uuid, Uuid, String, OffsetDateTime)> =
            sqlx::query_as("SELECT tenant_id, user_id, role, added_at FROM memberships")
                .fetch_all(store.pool())
                .await
                .unwrap();
        rows.sort_by_key(|r| r.3);
        let tenant = acme.tenant.as_uuid();
        assert_eq!(
            rows,
            vec![(tenant, acme.user.as_uuid(), "owner".into(), at(0)), (tenant, bob.as_uuid(), "admin".into(), at(4))],
            "{mode:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_belong_to_their_tenant_under_their_latest_name() {
    let (_db, store) = database("rm_projects").await;
    let acme = signup(&store, 0).await;
    let other = signup(&store, 1).await;

    for mode in MODES {
        project(&store, mode).await;
        let rows: Vec<(Uuid, String, OffsetDateTime)> =
            sqlx::query_as("SELECT project_id, name, created_at FROM projects WHERE tenant_id = $1")
                .bind(acme.tenant.as_uuid())
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(rows, vec![(acme.project.as_uuid(), "Handbook".into(), at(0))], "{mode:?}");
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM projects").fetch_one(store.pool()).await.unwrap();
        assert_eq!(total, 2, "{mode:?}: {other:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_are_found_by_prefix_and_show_revocation() {
    let (_db, store) = database("rm_api_keys").await;
    let acme = signup(&store, 0).await;

    for mode in MODES {
        project(&store, mode).await;
        let rows: Vec<ApiKeyRow> = sqlx::query_as(
            "SELECT key_id, tenant_id, project_id, name, secret_hash, created_at, revoked_at
               FROM api_keys WHERE project_id = $1 ORDER BY name",
        )
        .bind(acme.project.as_uuid())
        .fetch_all(store.pool())
        .await
        .unwrap();
        let (tenant, project, hash) = (acme.tenant.as_uuid(), acme.project.as_uuid(), "0".repeat(64));
        assert_eq!(
            rows,
            vec![
                (acme.keys[0].as_uuid(), tenant, project, "key 0".into(), hash.clone(), at(0), None),
                (acme.keys[1].as_uuid(), tenant, project, "key 1".into(), hash, at(0), Some(at(0))),
            ],
            "{mode:?}"
        );
        let prefix = format!("{:08x}", acme.keys[1].as_uuid().as_u128() as u32);
        let found: Vec<Uuid> = sqlx::query_scalar("SELECT key_id FROM api_keys WHERE prefix = $1")
            .bind(prefix)
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(found, vec![acme.keys[1].as_uuid()], "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_claims_map_the_claim_stream_to_its_user() {
    let (_db, store) = database("rm_claims").await;
    let ada = signup(&store, 0).await;

    for mode in MODES {
        project(&store, mode).await;
        let user: Option<Uuid> = sqlx::query_scalar("SELECT user_id FROM email_claims WHERE claim_id = $1")
            .bind(&ada.claim)
            .fetch_optional(store.pool())
            .await
            .unwrap();
        assert_eq!(user, Some(ada.user.as_uuid()), "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_have_the_indexes_the_api_queries_by() {
    let (_db, store) = database("rm_indexes").await;
    project(&store, common::Mode::OneByOne).await;
    let defs: Vec<String> = sqlx::query_scalar("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
        .fetch_all(store.pool())
        .await
        .unwrap();
    for wanted in [
        "ON public.projects USING btree (tenant_id)",
        "ON public.api_keys USING btree (project_id)",
        "ON public.api_keys USING btree (prefix)",
        "ON public.memberships USING btree (user_id)",
        "ON public.memberships USING btree (tenant_id, user_id)",
        "ON public.email_claims USING btree (claim_id)",
    ] {
        assert!(defs.iter().any(|d| d.contains(wanted)), "no index {wanted} in {defs:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_show_their_outcome_and_erased_ones_leave_no_rows_or_chunks() {
    let (_db, store) = database("rm_documents").await;
    let acme = signup(&store, 0).await;

    for mode in MODES {
        project(&store, mode).await;
        let rows: Vec<(String, String, i32, serde_json::Value, Option<String>)> = sqlx::query_as(
            "SELECT title, status, chunk_count, pii, failure FROM documents WHERE project_id = $1 ORDER BY title",
        )
        .bind(acme.project.as_uuid())
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(
            rows,
            vec![
                ("Doc 0".into(), "indexed".into(), 2, serde_json::json!({"email": 1}), None),
                ("Doc 1".into(), "failed".into(), 0, serde_json::json!({}), Some("no text".into())),
            ],
            "{mode:?}"
        );
        let found: Vec<(i32, String)> = sqlx::query_as(
            "SELECT ordinal, text FROM chunks WHERE project_id = $1 AND tsv @@ websearch_to_tsquery('english', 'refund')",
        )
        .bind(acme.project.as_uuid())
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(found, vec![(0, "# Refunds".to_owned())], "{mode:?}: the erased document's chunks are gone");
        let policy: String =
            sqlx::query_scalar("SELECT settings->>'pii_policy' FROM project_settings WHERE project_id = $1")
                .bind(acme.project.as_uuid())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(policy, "flag", "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vectors_recorded_after_their_documents_erasure_are_not_projected() {
    let (_db, store) = database("rm_late_vectors").await;
    let acme = signup(&store, 0).await;
    project(&store, common::Mode::OneByOne).await;
    let document: Uuid = sqlx::query_scalar("SELECT document_id FROM chunk_vectors WHERE project_id = $1")
        .bind(acme.project.as_uuid())
        .fetch_one(store.pool())
        .await
        .unwrap();
    let document = domain::DocumentId::new(document);
    // Erased, then vectors for it in a later append (as a log written before the store refused
    // to seal for erased subjects could hold).
    append(&store, "document", document, vec![new_event!(domain::DocumentEvent::DocumentErased { at: at(1) })], at(1))
        .await;
    let late = domain::EmbeddingsEvent::EmbeddingsAccepted {
        project_id: acme.project,
        document_id: document,
        count: 1,
        vectors: Personal::new(document.subject(), vec![domain::ChunkVector { chunk: 0, vector: vec![0.8, 0.6] }]),
        stats: domain::embedding::NormStats { count: 3, mean: 1.0, m2: 0.0 },
        at: at(2),
    };
    append(&store, "project_embeddings", acme.project, vec![new_event!(late)], at(2)).await;

    for mode in MODES {
        project(&store, mode).await;
        let vectors: i64 = sqlx::query_scalar("SELECT count(*) FROM chunk_vectors WHERE document_id = $1")
            .bind(document.as_uuid())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(vectors, 0, "{mode:?}: the erased document's late vectors stay out");
    }
}
