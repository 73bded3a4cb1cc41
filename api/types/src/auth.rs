//! Signing up, signing in, and who is signed in.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// `POST /v1/signup`: a new organisation (tenant) and its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    /// The organisation's name.
    pub tenant: String,
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    /// `free`, `starter`, `pro` or `enterprise`.
    pub plan: String,
    /// The person's display name; defaults to the part of the address before the `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /v1/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The answer to a signup: who was created. The session cookie is set too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupResponse {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub position: String,
}

/// `GET /v1/me` (and the answer to a login): the signed-in user and their tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: MeUser,
    pub tenant: MeTenant,
    /// The user's role in the tenant: `owner`, `admin`, `member` or `viewer`.
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeTenant {
    pub id: Uuid,
    pub name: String,
    pub plan: String,
    pub project_count: u64,
    pub member_count: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}
