mod support;

use domain::{Decide, Session, SessionCommand, SessionError, SessionEvent, SessionId, TenantId, UserId};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const EXPIRES: OffsetDateTime = datetime!(2025-03-08 12:00 UTC);
const SESSION: SessionId = SessionId::new(Uuid::from_u128(1));
const USER: UserId = UserId::new(Uuid::from_u128(2));
const TENANT: TenantId = TenantId::new(Uuid::from_u128(3));

fn start(expires_at: OffsetDateTime) -> SessionCommand {
    SessionCommand::StartSession {
        session_id: SESSION,
        user_id: USER,
        tenant_id: TENANT,
        token_hash: "hash".into(),
        expires_at,
        at: AT,
    }
}

fn started() -> SessionEvent {
    SessionEvent::SessionStarted {
        session_id: SESSION,
        user_id: USER,
        tenant_id: TENANT,
        token_hash: "hash".into(),
        expires_at: EXPIRES,
        at: AT,
    }
}

#[test]
fn starting_records_the_token_hash_and_expiry() {
    scenario::<Session>().given_no_previous_events().when(start(EXPIRES)).then_expect_events(vec![started()]);
}

#[test]
fn a_session_expiring_before_it_starts_is_refused() {
    scenario::<Session>()
        .given_no_previous_events()
        .when(start(AT))
        .then_expect_error(SessionError::ExpiresBeforeStart);
}

#[test]
fn a_session_starts_once() {
    scenario::<Session>().given(vec![started()]).when(start(EXPIRES)).then_expect_error(SessionError::AlreadyStarted);
}

#[test]
fn ending_a_session_records_when() {
    let later = datetime!(2025-03-02 12:00 UTC);
    scenario::<Session>()
        .given(vec![started()])
        .when(SessionCommand::EndSession { at: later })
        .then_expect_events(vec![SessionEvent::SessionEnded { at: later }]);
}

#[test]
fn ending_twice_or_ending_nothing_is_refused() {
    let end = SessionCommand::EndSession { at: AT };
    scenario::<Session>()
        .given(vec![started(), SessionEvent::SessionEnded { at: AT }])
        .when(end.clone())
        .then_expect_error(SessionError::AlreadyEnded);
    scenario::<Session>().given_no_previous_events().when(end).then_expect_error(SessionError::NotFound);
}

#[test]
fn the_state_knows_who_and_until_when() {
    let mut session = Session::default();
    session.apply(started());
    let s = session.started().unwrap();
    assert_eq!((s.user_id, s.tenant_id, s.expires_at, s.ended_at), (USER, TENANT, EXPIRES, None));
}
