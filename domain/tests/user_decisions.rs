mod support;

use domain::{
    Decide, EmailAddress, PasswordHash, PersonName, Personal, User, UserCommand, UserError, UserEvent, UserId,
};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const USER: UserId = UserId::new(Uuid::from_u128(1));
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
const NEW_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaG5ld2hhc2g";

fn personal(value: &str) -> Personal<String> {
    Personal::new(USER.subject(), value.to_owned())
}

fn register() -> UserCommand {
    UserCommand::RegisterUser {
        user_id: USER,
        email: EmailAddress::parse(" Ada@Example.com ").expect("a valid email"),
        name: PersonName::parse("Ada Lovelace").expect("a valid name"),
        password_hash: PasswordHash::from_phc(HASH).expect("a valid hash"),
        at: AT,
    }
}

fn registered() -> UserEvent {
    UserEvent::UserRegistered {
        user_id: USER,
        email: personal("ada@example.com"),
        name: personal("Ada Lovelace"),
        password_hash: HASH.to_owned(),
        at: AT,
    }
}

fn change_name(name: &str) -> UserCommand {
    UserCommand::ChangeName { name: PersonName::parse(name).expect("a valid name"), at: AT }
}

fn change_password() -> UserCommand {
    UserCommand::ChangePassword { password_hash: PasswordHash::from_phc(NEW_HASH).expect("a valid hash"), at: AT }
}

#[test]
fn registering_records_email_and_name_as_personal_data_of_the_user() {
    scenario::<User>().given_no_previous_events().when(register()).then_expect_events(vec![registered()]);
}

#[test]
fn registering_twice_is_refused() {
    scenario::<User>().given(vec![registered()]).when(register()).then_expect_error(UserError::AlreadyExists);
}

#[test]
fn renaming_records_the_new_name_as_personal_data() {
    scenario::<User>()
        .given(vec![registered()])
        .when(change_name("Ada King"))
        .then_expect_events(vec![UserEvent::UserRenamed { name: personal("Ada King"), at: AT }]);
}

#[test]
fn renaming_to_the_current_name_records_nothing() {
    scenario::<User>().given(vec![registered()]).when(change_name("Ada Lovelace")).then_expect_events(vec![]);
}

#[test]
fn renaming_an_unknown_user_is_refused() {
    scenario::<User>().given_no_previous_events().when(change_name("Ada")).then_expect_error(UserError::NotFound);
}

#[test]
fn changing_the_password_records_the_new_hash() {
    scenario::<User>()
        .given(vec![registered()])
        .when(change_password())
        .then_expect_events(vec![UserEvent::PasswordChanged { password_hash: NEW_HASH.to_owned(), at: AT }]);
}

#[test]
fn changing_the_password_of_an_unknown_user_is_refused() {
    scenario::<User>().given_no_previous_events().when(change_password()).then_expect_error(UserError::NotFound);
}

#[test]
fn an_erased_user_keeps_reading_as_erased() {
    let mut user = User::default();
    user.apply(UserEvent::UserRegistered {
        user_id: USER,
        email: Personal::Erased { subject: USER.subject() },
        name: Personal::Erased { subject: USER.subject() },
        password_hash: HASH.to_owned(),
        at: AT,
    });
    let state = user.registered().unwrap();
    assert!(state.email.is_erased() && state.name.is_erased());
}

#[test]
fn user_events_never_print_personal_data_or_the_hash() {
    let shown = format!("{:?}", registered());
    for secret in ["ada@example.com", "Ada Lovelace", HASH] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
