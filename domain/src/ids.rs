//! Typed identifiers: a `TenantId` can never be passed where a `ProjectId` is meant.
//!
//! Ids are generated outside the domain (UUIDv7 by the `commands` crate) and come in with
//! commands; here they are only carried and compared.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{SubjectId, ValidationError};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn new(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ValidationError::Malformed { field: $field, reason: "must be a UUID" })
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// A customer organisation: the unit of billing, plans and isolation.
    TenantId, "tenant_id"
);
typed_id!(
    /// A person who can sign in; may belong to several tenants.
    UserId, "user_id"
);
typed_id!(
    /// A project inside a tenant: documents and retrievals live in one.
    ProjectId, "project_id"
);
typed_id!(
    /// An API key issued for one project.
    ApiKeyId, "api_key_id"
);
typed_id!(
    /// A dashboard sign-in of one user into one tenant.
    SessionId, "session_id"
);
typed_id!(
    /// A document in a project; also the data subject whose key seals its content.
    DocumentId, "document_id"
);

impl UserId {
    /// The data subject owning this user's personal data: erasing it shreds their key.
    pub fn subject(&self) -> SubjectId {
        SubjectId::new("user", self.0)
    }
}

impl DocumentId {
    /// The data subject owning this document's content: erasing the document shreds its key.
    pub fn subject(&self) -> SubjectId {
        SubjectId::new("document", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_round_trips_through_display_and_from_str() {
        let id = TenantId::new(Uuid::from_u128(7));
        assert_eq!(id.to_string().parse::<TenantId>(), Ok(id));
    }

    #[test]
    fn id_serializes_as_a_bare_uuid_string() {
        let id = UserId::new(Uuid::from_u128(1));
        let json = serde_json::to_value(id).unwrap();
        assert_eq!(json, serde_json::json!("00000000-0000-0000-0000-000000000001"));
    }

    #[test]
    fn malformed_id_names_its_field() {
        let err = "nope".parse::<ProjectId>().unwrap_err();
        assert_eq!(err.field(), "project_id");
    }

    #[test]
    fn user_is_the_subject_of_its_own_data() {
        let id = UserId::new(Uuid::from_u128(1));
        assert_eq!(id.subject().as_str(), "user:00000000-0000-0000-0000-000000000001");
    }
}
