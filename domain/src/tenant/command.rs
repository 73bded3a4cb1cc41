use time::OffsetDateTime;

use crate::{Plan, ProjectId, Role, TenantId, TenantName, UserId};

/// What can be asked of a tenant. `at` is when the request was accepted, stamped by the caller.
#[derive(Clone, Debug, PartialEq)]
pub enum TenantCommand {
    /// Opens a tenant on `plan`, with `owner` as its first member.
    CreateTenant { tenant_id: TenantId, name: TenantName, plan: Plan, owner: UserId, at: OffsetDateTime },
    /// Adds a user with `role`; counts against the plan's user limit.
    AddMember { user_id: UserId, role: Role, at: OffsetDateTime },
    /// Removes a member; a tenant always keeps at least one owner.
    RemoveMember { user_id: UserId, at: OffsetDateTime },
    /// Records that a project was created in this tenant; counts against the project limit.
    /// The `commands` layer appends this together with the project's `ProjectCreated`.
    AddProject { project_id: ProjectId, at: OffsetDateTime },
    /// Moves to another plan, refusing a downgrade the tenant has already outgrown.
    ChangePlan { plan: Plan, at: OffsetDateTime },
}
