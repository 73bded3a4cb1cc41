//! The `/v1` API's bodies, one definition for the server (which also derives the OpenAPI
//! document from them) and the dashboard. No server dependencies: this compiles to wasm.
//!
//! Conventions the clients rely on:
//! - Every write answers with `position`, the event store position of its last event, as a
//!   decimal string (positions exceed JavaScript's safe integers). Sending it back in the
//!   [`CONSISTENCY_HEADER`] of a read makes that read wait until the read models include it.
//! - Errors are [`Problem`]s (`application/problem+json`), with a stable `type` per kind.
//! - Dashboard writes carry the `ctxi_csrf` cookie's value in the [`CSRF_HEADER`].

mod auth;
mod documents;
mod plans;
mod problem;
mod projects;
mod usage;

pub use auth::{LoginRequest, Me, MeTenant, MeUser, SignupRequest, SignupResponse};
pub use documents::{
    ChunkList, ChunkText, EmbeddingRejection, EmbeddingRejectionList, EmbeddingsRequest, EmbeddingsResult,
    DocumentInfo, DocumentList, ProjectSettingsBody, RetrieveFilter, RetrieveRequest, RetrieveResponse, RetrievedChunk,
    UploadDocumentRequest, UploadedDocument,
};
pub use plans::{PlanInfo, PlanLimitsInfo, PlanList};
pub use problem::{FieldError, Problem, ProblemType};
pub use usage::{Allowance, Usage};
pub use projects::{
    ApiKeyInfo, ApiKeyList, CreateApiKeyRequest, CreateProjectRequest, IssuedApiKey, ProjectInfo, ProjectList, Written,
};

/// Request header: wait until the read models have caught up with this position.
pub const CONSISTENCY_HEADER: &str = "x-ctxi-consistency";
/// Response header on writes: the position to pass back in [`CONSISTENCY_HEADER`].
pub const POSITION_HEADER: &str = "x-ctxi-position";
/// Request header: the CSRF token, equal to the `ctxi_csrf` cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The cookie holding the CSRF token (readable by the page's script, unlike the session's).
pub const CSRF_COOKIE: &str = "ctxi_csrf";
/// The session cookie (HttpOnly).
pub const SESSION_COOKIE: &str = "ctxi_session";
/// Request and response header: the request's id, also recorded in the events it caused.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
