use thiserror::Error;

use crate::Plan;

/// Why a tenant refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TenantError {
    #[error("the tenant does not exist")]
    NotFound,

    #[error("the tenant already exists")]
    AlreadyExists,

    #[error("the user is already a member of this tenant")]
    AlreadyMember,

    #[error("the user is not a member of this tenant")]
    NotAMember,

    #[error("the last owner of a tenant cannot be removed")]
    LastOwner,

    #[error("the project already belongs to this tenant")]
    ProjectAlreadyAdded,

    /// Adding one more `resource` would go over the plan's cap.
    #[error("{resource}: the {plan} plan allows at most {limit}")]
    PlanLimitReached { resource: &'static str, limit: u64, plan: Plan },

    /// The tenant already has more `resource` than the plan it wants to move to allows.
    #[error("{resource}: the {plan} plan allows at most {limit}, but the tenant has {current}")]
    PlanLimitExceeded { resource: &'static str, limit: u64, current: u64, plan: Plan },
}
