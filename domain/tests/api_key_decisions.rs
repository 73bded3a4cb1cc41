mod support;

use domain::{
    ApiKey, ApiKeyCommand, ApiKeyError, ApiKeyEvent, ApiKeyId, ApiKeyName, ApiKeySecret, Decide, ProjectId, TenantId,
};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const LATER: OffsetDateTime = datetime!(2025-04-01 12:00 UTC);
const KEY: ApiKeyId = ApiKeyId::new(Uuid::from_u128(1));
const TENANT: TenantId = TenantId::new(Uuid::from_u128(2));
const PROJECT: ProjectId = ProjectId::new(Uuid::from_u128(3));
const HASH: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015";

fn issue() -> ApiKeyCommand {
    let secret = ApiKeySecret::from_parts("a1b2c3d4", "0123456789abcdef0123456789abcdef").expect("a well-formed key");
    ApiKeyCommand::IssueApiKey {
        key_id: KEY,
        tenant_id: TENANT,
        project_id: PROJECT,
        name: ApiKeyName::parse("CI").expect("a valid name"),
        prefix: secret.prefix().to_string(),
        secret_hash: HASH.into(),
        at: AT,
    }
}

fn issued() -> ApiKeyEvent {
    ApiKeyEvent::ApiKeyIssued {
        key_id: KEY,
        tenant_id: TENANT,
        project_id: PROJECT,
        name: "CI".into(),
        prefix: "a1b2c3d4".into(),
        secret_hash: HASH.into(),
        at: AT,
    }
}

#[test]
fn issuing_a_key_records_its_prefix_and_hash() {
    scenario::<ApiKey>().given_no_previous_events().when(issue()).then_expect_events(vec![issued()]);
}

#[test]
fn issuing_the_same_key_twice_is_refused() {
    scenario::<ApiKey>().given(vec![issued()]).when(issue()).then_expect_error(ApiKeyError::AlreadyIssued);
}

#[test]
fn revoking_a_key_records_when() {
    scenario::<ApiKey>()
        .given(vec![issued()])
        .when(ApiKeyCommand::RevokeApiKey { at: LATER })
        .then_expect_events(vec![ApiKeyEvent::ApiKeyRevoked { at: LATER }]);
}

#[test]
fn revoking_a_missing_key_is_refused() {
    scenario::<ApiKey>()
        .given_no_previous_events()
        .when(ApiKeyCommand::RevokeApiKey { at: LATER })
        .then_expect_error(ApiKeyError::NotFound);
}

#[test]
fn revoking_a_key_twice_is_refused() {
    scenario::<ApiKey>()
        .given(vec![issued(), ApiKeyEvent::ApiKeyRevoked { at: LATER }])
        .when(ApiKeyCommand::RevokeApiKey { at: LATER })
        .then_expect_error(ApiKeyError::AlreadyRevoked);
}

#[test]
fn a_revoked_key_is_no_longer_active() {
    let mut key = ApiKey::default();
    key.apply(issued());
    assert!(key.is_active());
    key.apply(ApiKeyEvent::ApiKeyRevoked { at: LATER });
    assert!(!key.is_active());
    assert_eq!(key.issued().and_then(|k| k.revoked_at), Some(LATER));
}
