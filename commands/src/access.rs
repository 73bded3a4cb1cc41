//! Who may do what in a tenant, decided from the tenant as loaded for the command.

use domain::{ApiKey, ProjectId, Role, Tenant, UserId};
use eventstore::{Actor, EventStore};

use crate::{load, CommandError};

/// The authority a command runs with once [`authorize`] let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authority {
    Member(Role),
    /// An API key of the project acted on.
    ApiKey,
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

/// Lets `actor` act on project `project_id` of `tenant`: members whose role allows it, and API
/// keys issued for exactly this project and not revoked. A project of another tenant, or a key
/// of another project, reads as not found.
pub(crate) async fn authorize_project<S: EventStore + ?Sized>(
    store: &S,
    tenant: &Tenant,
    actor: &Actor,
    project_id: ProjectId,
    allowed: fn(&Role) -> bool,
) -> Result<Authority, CommandError> {
    let tenant_id = tenant.id().ok_or(CommandError::NotFound("tenant"))?;
    let authority = match actor {
        Actor::ApiKey(key_id) => {
            let key = load::<ApiKey, _>(store, key_id).await?;
            match key.state.issued() {
                Some(issued)
                    if issued.tenant_id == tenant_id && issued.project_id == project_id && key.state.is_active() =>
                {
                    Authority::ApiKey
                }
                _ => return Err(CommandError::NotFound("project")),
            }
        }
        _ => authorize(tenant, actor, allowed)?,
    };
    if !tenant.has_project(project_id) {
        return Err(CommandError::NotFound("project"));
    }
    Ok(authority)
}
