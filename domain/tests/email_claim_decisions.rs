mod support;

use domain::{EmailClaim, EmailClaimCommand, EmailClaimError, EmailClaimEvent, UserId};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const ADA: UserId = UserId::new(Uuid::from_u128(1));
const EVE: UserId = UserId::new(Uuid::from_u128(2));

#[test]
fn claiming_a_free_address_records_who_claimed_it() {
    scenario::<EmailClaim>()
        .given_no_previous_events()
        .when(EmailClaimCommand::ClaimEmail { user_id: ADA, at: AT })
        .then_expect_events(vec![EmailClaimEvent::EmailClaimed { user_id: ADA, at: AT }]);
}

#[test]
fn claiming_an_address_someone_else_holds_is_refused() {
    scenario::<EmailClaim>()
        .given(vec![EmailClaimEvent::EmailClaimed { user_id: ADA, at: AT }])
        .when(EmailClaimCommand::ClaimEmail { user_id: EVE, at: AT })
        .then_expect_error(EmailClaimError::AlreadyClaimed);
}

#[test]
fn claiming_an_address_again_for_the_same_user_is_refused_too() {
    scenario::<EmailClaim>()
        .given(vec![EmailClaimEvent::EmailClaimed { user_id: ADA, at: AT }])
        .when(EmailClaimCommand::ClaimEmail { user_id: ADA, at: AT })
        .then_expect_error(EmailClaimError::AlreadyClaimed);
}
