//! Who may do what in a tenant, decided from the tenant as loaded for the command.

use domain::{Role, Tenant, UserId};
use eventstore::Actor;

use crate::CommandError;

/// The authority a command runs with once [`authorize`] let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authority {
    Member(Role),
    /// The platform itself (billing webhooks, operator CLI): system actors are only ever
    /// created by server code, never from a request.
    Platform,
}

/// Lets `actor` act on `tenant` if `allowed` holds for their role. Someone who is not a member
/// learns nothing: the tenant reads as not found. API keys are credentials for retrieval, not
/// for administration.
pub(crate) fn authorize(tenant: &Tenant, actor: &Actor, allowed: fn(&Role) -> bool) -> Result<Authority, CommandError> {
    if tenant.id().is_none() {
        return Err(CommandError::NotFound("tenant"));
    }
    match actor {
        Actor::System(_) => Ok(Authority::Platform),
        Actor::ApiKey(_) => Err(CommandError::Forbidden),
        Actor::User(id) => match tenant.role_of(UserId::new(*id)) {
            None => Err(CommandError::NotFound("tenant")),
            Some(role) if allowed(&role) => Ok(Authority::Member(role)),
            Some(_) => Err(CommandError::Forbidden),
        },
    }
}
