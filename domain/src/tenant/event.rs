use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Plan, ProjectId, Role, TenantId, UserId};

/// What happened to a tenant. Version 1 of each; a new shape is a new version plus an upcaster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantEvent {
    /// The tenant exists; `owner` is now its member with role `Owner`.
    TenantCreated {
        tenant_id: TenantId,
        name: String,
        plan: Plan,
        owner: UserId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    MemberAdded {
        user_id: UserId,
        role: Role,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    MemberRemoved {
        user_id: UserId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    ProjectAdded {
        project_id: ProjectId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    PlanChanged {
        from: Plan,
        to: Plan,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for TenantEvent {
    fn event_type(&self) -> String {
        match self {
            Self::TenantCreated { .. } => "TenantCreated",
            Self::MemberAdded { .. } => "MemberAdded",
            Self::MemberRemoved { .. } => "MemberRemoved",
            Self::ProjectAdded { .. } => "ProjectAdded",
            Self::PlanChanged { .. } => "PlanChanged",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}
