//! Why a command was not carried out, in the terms an API answers with.

use domain::{
    ApiKeyError, DocumentError, EmailClaimError, Plan, ProjectError, QuotaError, SessionError, TenantError, UserError,
    ValidationError,
};
use eventstore::{AppendError, StoreError};
use thiserror::Error;
use time::OffsetDateTime;

/// Why a command was refused or failed. Everything but [`CommandError::Store`] and
/// [`CommandError::PasswordHashing`] is the caller's to fix (4xx); those two are ours (5xx).
#[derive(Debug, Error)]
pub enum CommandError {
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// The thing named does not exist, or exists where the actor may not see it: a tenant the
    /// actor is not a member of, or another tenant's key, reads as absent, never as forbidden.
    #[error("{0} not found")]
    NotFound(&'static str),

    /// The actor is a member, but their role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,

    /// One more `resource` would go over the plan's cap: upgrading is the way out.
    #[error("{resource}: the {plan} plan allows at most {limit}")]
    PlanLimit { resource: &'static str, limit: u64, plan: Plan },

    /// A usage allowance of the plan is used up (documents, pages, retrievals this month): the
    /// request may succeed after `resets_at`, if that ever comes, or on a bigger plan.
    #[error("{message}")]
    QuotaExceeded { resource: &'static str, limit: u64, plan: Plan, resets_at: Option<OffsetDateTime>, message: String },

    /// The uploaded content cannot be read as the format it claims; says why in words a
    /// person can act on.
    #[error("{0}")]
    Unreadable(String),

    /// Deliberately says nothing about who holds the address.
    #[error("the email address is already in use")]
    EmailTaken,

    /// Concurrent changes to the same streams won every attempt; retrying later may succeed.
    #[error("the command conflicted with concurrent changes; try again")]
    Conflict,

    /// The idempotency key was first used for a different request.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyKeyReused,

    /// Any other refusal by the domain, in words a person can read.
    #[error("{0}")]
    Domain(String),

    #[error("could not hash the password: {0}")]
    PasswordHashing(String),

    #[error("the event store failed")]
    Store(#[source] AppendError),
}

impl CommandError {
    /// A document allowance `plan` does not have room for.
    pub fn quota(e: QuotaError, plan: Plan) -> Self {
        let (resource, limit) = match e {
            QuotaError::Documents { limit } => ("documents", limit),
            QuotaError::Pages { limit, .. } => ("pages", limit),
        };
        Self::QuotaExceeded { resource, limit, plan, resets_at: None, message: format!("{e} on the {plan} plan") }
    }
}

impl From<AppendError> for CommandError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Conflict { .. } => Self::Conflict,
            AppendError::IdempotencyKeyReused(_) => Self::IdempotencyKeyReused,
            other => Self::Store(other),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        Self::Store(AppendError::Store(e))
    }
}

impl From<serde_json::Error> for CommandError {
    fn from(e: serde_json::Error) -> Self {
        Self::Store(AppendError::from(e))
    }
}

impl From<TenantError> for CommandError {
    fn from(e: TenantError) -> Self {
        match e {
            TenantError::NotFound => Self::NotFound("tenant"),
            TenantError::NotAMember => Self::NotFound("member"),
            TenantError::PlanLimitReached { resource, limit, plan } => Self::PlanLimit { resource, limit, plan },
            // Includes a downgrade the tenant has outgrown: the message says how far over it is.
            e @ (TenantError::AlreadyExists
            | TenantError::AlreadyMember
            | TenantError::LastOwner
            | TenantError::ProjectAlreadyAdded
            | TenantError::PlanLimitExceeded { .. }) => Self::Domain(e.to_string()),
        }
    }
}

impl From<EmailClaimError> for CommandError {
    fn from(e: EmailClaimError) -> Self {
        match e {
            EmailClaimError::AlreadyClaimed => Self::EmailTaken,
        }
    }
}

impl From<UserError> for CommandError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::NotFound => Self::NotFound("user"),
            e @ UserError::AlreadyExists => Self::Domain(e.to_string()),
        }
    }
}

impl From<ProjectError> for CommandError {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::NotFound => Self::NotFound("project"),
            e @ (ProjectError::AlreadyExists | ProjectError::EmbeddingDimensionFixed(_)) => Self::Domain(e.to_string()),
        }
    }
}

impl From<SessionError> for CommandError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotFound => Self::NotFound("session"),
            e @ (SessionError::AlreadyStarted | SessionError::AlreadyEnded | SessionError::ExpiresBeforeStart) => {
                Self::Domain(e.to_string())
            }
        }
    }
}

impl From<ApiKeyError> for CommandError {
    fn from(e: ApiKeyError) -> Self {
        match e {
            ApiKeyError::NotFound => Self::NotFound("api key"),
            e @ (ApiKeyError::AlreadyIssued | ApiKeyError::AlreadyRevoked) => Self::Domain(e.to_string()),
        }
    }
}

impl From<DocumentError> for CommandError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::NotFound => Self::NotFound("document"),
            e @ DocumentError::AlreadyExists => Self::Domain(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_limit_keeps_its_resource_limit_and_plan() {
        let e = CommandError::from(TenantError::PlanLimitReached { resource: "projects", limit: 1, plan: Plan::Free });
        assert!(matches!(e, CommandError::PlanLimit { resource: "projects", limit: 1, plan: Plan::Free }));
        assert_eq!(e.to_string(), "projects: the free plan allows at most 1");
    }

    #[test]
    fn other_refusals_keep_the_domain_wording() {
        let e = CommandError::from(TenantError::LastOwner);
        assert_eq!(e.to_string(), "the last owner of a tenant cannot be removed");
    }

    #[test]
    fn a_claimed_email_is_email_taken() {
        assert!(matches!(CommandError::from(EmailClaimError::AlreadyClaimed), CommandError::EmailTaken));
    }
}
