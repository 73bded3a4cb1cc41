//! What a member of a tenant may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A member's role within one tenant, most powerful first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    /// Inviting and removing people is reserved to owners and admins.
    pub const fn can_manage_members(&self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Everyone who builds with the product may create and rename projects; viewers only read.
    pub const fn can_manage_projects(&self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Member)
    }

    /// Issuing and revoking keys follows project management: builders need keys.
    pub const fn can_manage_api_keys(&self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Member)
    }

    /// Uploading and erasing documents is building with the product; viewers only read.
    pub const fn can_write_documents(&self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Member)
    }

    /// Every member may read a tenant's documents and retrieve from them.
    pub const fn can_read(&self) -> bool {
        true
    }

    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValidationError;

    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Self::ALL.into_iter().find(|role| role.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            ValidationError::NotOneOf { field: "role", value: s.to_owned(), expected: "owner, admin, member, viewer" }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permissions(role: Role) -> (bool, bool, bool) {
        (role.can_manage_members(), role.can_manage_projects(), role.can_manage_api_keys())
    }

    #[test]
    fn owner_and_admin_may_do_everything() {
        assert_eq!(permissions(Role::Owner), (true, true, true));
        assert_eq!(permissions(Role::Admin), (true, true, true));
    }

    #[test]
    fn member_manages_projects_and_keys_but_not_people() {
        assert_eq!(permissions(Role::Member), (false, true, true));
    }

    #[test]
    fn viewer_manages_nothing() {
        assert_eq!(permissions(Role::Viewer), (false, false, false));
    }

    #[test]
    fn role_parses_case_insensitively_and_round_trips() {
        assert_eq!("Admin".parse(), Ok(Role::Admin));
        for role in Role::ALL {
            assert_eq!(role.to_string().parse(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{role}\""));
        }
    }

    #[test]
    fn unknown_role_error_lists_the_roles() {
        let err = "god".parse::<Role>().unwrap_err();
        assert_eq!(err.to_string(), "role: \"god\" is not one of owner, admin, member, viewer");
    }
}
