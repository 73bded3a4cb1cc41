//! Signing up: three streams in one append, a hashed password, a keyed email claim, and
//! idempotent retries.

mod support;

use commands::{verify_password, CommandError};
use domain::{EmailAddress, TenantEvent, UserEvent};
use sha2::{Digest, Sha256};
use support::*;

#[tokio::test]
async fn signup_appends_email_claim_user_and_tenant_in_one_append() {
    let commands = in_memory();
    let signup = sign_up(&commands, "ada@example.com", "free").await;

    let events = all_events(&commands).await;
    let streams: Vec<(String, String)> =
        events.iter().map(|e| (e.stream.aggregate_type.clone(), e.event_type.clone())).collect();
    assert_eq!(
        streams,
        [
            ("email_claim".to_owned(), "EmailClaimed".to_owned()),
            ("user".to_owned(), "UserRegistered".to_owned()),
            ("tenant".to_owned(), "TenantCreated".to_owned()),
        ]
    );
    assert_eq!(events[1].stream.aggregate_id, signup.user_id.to_string());
    assert_eq!(events[2].stream.aggregate_id, signup.tenant_id.to_string());
    assert_eq!(signup.position, events[2].position);
    let metadata = &events[0].metadata;
    assert!(events.iter().all(|e| &e.metadata == metadata), "one command, one metadata");
    assert_eq!(metadata.tenant_id, Some(signup.tenant_id.as_uuid()));

    let TenantEvent::TenantCreated { owner, plan, .. } = events[2].decode().unwrap() else {
        panic!("expected TenantCreated");
    };
    assert_eq!(owner, signup.user_id);
    assert_eq!(plan, domain::Plan::Free);
}

#[tokio::test]
async fn password_is_stored_only_as_an_argon2id_hash() {
    let commands = in_memory();
    sign_up(&commands, "ada@example.com", "free").await;

    let events = all_events(&commands).await;
    let UserEvent::UserRegistered { password_hash, .. } = events[1].decode().unwrap() else {
        panic!("expected UserRegistered");
    };
    assert!(password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{password_hash}");
    assert!(verify_password(&password_hash, PASSWORD));
    assert!(!verify_password(&password_hash, "correct horse battery stable"));
    for event in &events {
        assert!(!event.payload.to_string().contains(PASSWORD));
    }
}

#[tokio::test]
async fn email_claim_stream_is_named_by_a_keyed_hash_of_the_address() {
    let commands = in_memory();
    sign_up(&commands, " Ada@Example.COM", "free").await;

    let claim = &all_events(&commands).await[0].stream;
    let email = EmailAddress::parse("ada@example.com").unwrap();
    assert_eq!(claim.aggregate_id, secrets().email_claim_id(&email));
    assert_eq!(claim.aggregate_id.len(), 64, "hex HMAC-SHA256");
    let plain_hash = hex::encode(Sha256::digest(b"ada@example.com"));
    assert_ne!(claim.aggregate_id, plain_hash, "a plain hash would be reversible");
}

#[tokio::test]
async fn duplicate_email_is_refused_whatever_its_case() {
    let commands = in_memory();
    sign_up(&commands, "ada@example.com", "free").await;

    let err = commands.signup(&anonymous(), form("ADA@example.com ", "pro")).await.unwrap_err();

    assert!(matches!(err, CommandError::EmailTaken), "{err:?}");
    assert_eq!(all_events(&commands).await.len(), 3);
}

#[tokio::test]
async fn short_password_is_refused_before_anything_is_written() {
    let commands = in_memory();
    let mut input = form("ada@example.com", "free");
    input.password = "hunter2".into();

    let err = commands.signup(&anonymous(), input).await.unwrap_err();

    let CommandError::Validation(e) = err else { panic!("{err:?}") };
    assert_eq!(e.field(), "password");
    assert!(all_events(&commands).await.is_empty());
}

#[tokio::test]
async fn unknown_plan_and_malformed_email_are_refused() {
    let commands = in_memory();
    let err = commands.signup(&anonymous(), form("ada@example.com", "gold")).await.unwrap_err();
    assert!(matches!(&err, CommandError::Validation(e) if e.field() == "plan"), "{err:?}");

    let err = commands.signup(&anonymous(), form("ada.example.com", "free")).await.unwrap_err();
    assert!(matches!(&err, CommandError::Validation(e) if e.field() == "email"), "{err:?}");
}

#[tokio::test]
async fn retry_with_the_same_idempotency_key_returns_the_same_ids_and_appends_nothing() {
    let commands = in_memory();
    let ctx = anonymous().with_idempotency_key("signup-1");
    let first = commands.signup(&ctx, form("ada@example.com", "free")).await.unwrap();

    // The email is taken by now: only the stored outcome can answer the retry.
    let retry = commands.signup(&ctx, form("ada@example.com", "free")).await.unwrap();

    assert_eq!(retry, first);
    assert_eq!(all_events(&commands).await.len(), 3);
}

#[tokio::test]
async fn same_idempotency_key_with_different_input_is_refused() {
    let commands = in_memory();
    let ctx = anonymous().with_idempotency_key("signup-1");
    commands.signup(&ctx, form("ada@example.com", "free")).await.unwrap();

    let err = commands.signup(&ctx, form("grace@example.com", "free")).await.unwrap_err();

    assert!(matches!(err, CommandError::IdempotencyKeyReused), "{err:?}");
    assert_eq!(all_events(&commands).await.len(), 3);
}

#[tokio::test]
async fn sign_in_accepts_the_right_password_only() {
    let commands = in_memory();
    let signup = sign_up(&commands, "ada@example.com", "free").await;

    let signed_in = commands.authenticate(" ADA@example.com", PASSWORD).await.unwrap();
    assert_eq!(signed_in, Some(signup.user_id));
    let wrong = commands.authenticate("ada@example.com", "not the password").await.unwrap();
    assert_eq!(wrong, None);
    let unknown = commands.authenticate("bob@example.com", PASSWORD).await.unwrap();
    assert_eq!(unknown, None);
}
