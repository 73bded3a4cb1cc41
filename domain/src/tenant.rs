//! The tenant aggregate: a customer organisation, its members, its projects and its plan.
//! It is where plan limits on projects and users are enforced.

mod command;
mod error;
mod event;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use command::TenantCommand;
pub use error::TenantError;
pub use event::TenantEvent;

use crate::{Decide, Limit, Plan, ProjectId, Role, TenantId, UserId};

/// A tenant as its events describe it. `id` is `None` until `TenantCreated`.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Tenant {
    id: Option<TenantId>,
    name: String,
    plan: Plan,
    members: BTreeMap<UserId, Role>,
    projects: BTreeSet<ProjectId>,
}

impl Tenant {
    pub fn id(&self) -> Option<TenantId> {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// The member's role, or `None` if `user_id` is not a member; used for permission checks.
    pub fn role_of(&self, user_id: UserId) -> Option<Role> {
        self.members.get(&user_id).copied()
    }

    pub fn members(&self) -> impl Iterator<Item = (UserId, Role)> + '_ {
        self.members.iter().map(|(user, role)| (*user, *role))
    }

    pub fn has_project(&self, project_id: ProjectId) -> bool {
        self.projects.contains(&project_id)
    }

    pub fn member_count(&self) -> u64 {
        count(self.members.len())
    }

    pub fn project_count(&self) -> u64 {
        count(self.projects.len())
    }

    fn owner_count(&self) -> usize {
        self.members.values().filter(|role| **role == Role::Owner).count()
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Refuses one more `resource` when `current` already reach the plan's cap.
fn room_for_one_more(limit: Limit, current: u64, resource: &'static str, plan: Plan) -> Result<(), TenantError> {
    match limit {
        Limit::AtMost(max) if !limit.allows(current) => {
            Err(TenantError::PlanLimitReached { resource, limit: max, plan })
        }
        _ => Ok(()),
    }
}

/// Refuses a plan whose cap is below what the tenant already has.
fn still_fits(limit: Limit, current: u64, resource: &'static str, plan: Plan) -> Result<(), TenantError> {
    match limit {
        Limit::AtMost(max) if !limit.fits(current) => {
            Err(TenantError::PlanLimitExceeded { resource, limit: max, current, plan })
        }
        _ => Ok(()),
    }
}

impl Decide for Tenant {
    const TYPE: &'static str = "tenant";
    type Command = TenantCommand;
    type Event = TenantEvent;
    type Error = TenantError;

    fn decide(&self, command: TenantCommand) -> Result<Vec<TenantEvent>, TenantError> {
        use TenantCommand as C;
        use TenantEvent as E;

        let current = self.plan;
        let limits = current.limits();
        match command {
            C::CreateTenant { .. } if self.id.is_some() => Err(TenantError::AlreadyExists),
            C::CreateTenant { tenant_id, name, plan, owner, at } => {
                let name = name.into_string();
                Ok(vec![E::TenantCreated { tenant_id, name, plan, owner, at }])
            }
            _ if self.id.is_none() => Err(TenantError::NotFound),
            C::AddMember { user_id, role, at } => {
                if self.members.contains_key(&user_id) {
                    return Err(TenantError::AlreadyMember);
                }
                room_for_one_more(limits.users, self.member_count(), "users", current)?;
                Ok(vec![E::MemberAdded { user_id, role, at }])
            }
            C::RemoveMember { user_id, at } => match self.role_of(user_id) {
                None => Err(TenantError::NotAMember),
                Some(Role::Owner) if self.owner_count() <= 1 => Err(TenantError::LastOwner),
                Some(_) => Ok(vec![E::MemberRemoved { user_id, at }]),
            },
            C::AddProject { project_id, at } => {
                if self.has_project(project_id) {
                    return Err(TenantError::ProjectAlreadyAdded);
                }
                room_for_one_more(limits.projects, self.project_count(), "projects", current)?;
                Ok(vec![E::ProjectAdded { project_id, at }])
            }
            // Staying on the same plan is a no-op, so a retried request succeeds quietly.
            C::ChangePlan { plan: to, .. } if to == current => Ok(vec![]),
            C::ChangePlan { plan: to, at } => {
                let target = to.limits();
                still_fits(target.projects, self.project_count(), "projects", to)?;
                still_fits(target.users, self.member_count(), "users", to)?;
                Ok(vec![E::PlanChanged { from: current, to, at }])
            }
        }
    }

    fn apply(&mut self, event: TenantEvent) {
        match event {
            TenantEvent::TenantCreated { tenant_id, name, plan, owner, .. } => {
                self.id = Some(tenant_id);
                self.name = name;
                self.plan = plan;
                self.members.insert(owner, Role::Owner);
            }
            TenantEvent::MemberAdded { user_id, role, .. } => {
                self.members.insert(user_id, role);
            }
            TenantEvent::MemberRemoved { user_id, .. } => {
                self.members.remove(&user_id);
            }
            TenantEvent::ProjectAdded { project_id, .. } => {
                self.projects.insert(project_id);
            }
            TenantEvent::PlanChanged { to, .. } => self.plan = to,
        }
    }
}
