//! The `/v1` API's bodies, one definition for the server (which also derives the OpenAPI
//! document from them) and the dashboard. No server dependencies: this compiles to wasm.
//!
//! Conventions the clients rely on:
//! - A write answers once every read model includes it, so the caller's next read sees it with
//!   no header. It answers with `position`, the event store position of its last event, as a
//!   decimal string (positions exceed JavaScript's safe integers); another caller sends it in
//!   the [`CONSISTENCY_HEADER`] of a read to wait until the read models include it.
//! - A write whose read models did not catch up in time still succeeded: it answers 202 with
//!   the [`PENDING_HEADER`], and its caller's later reads wait for it.
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
    ChunkList, ChunkText, DocumentInfo, DocumentList, EmbeddingRejection, EmbeddingRejectionList, EmbeddingsRequest,
    EmbeddingsResult, ProjectSettingsBody, RetrieveFilter, RetrieveRequest, RetrieveResponse, RetrievedChunk,
    UploadDocumentRequest, UploadedDocument,
};
pub use plans::{PlanInfo, PlanLimitsInfo, PlanList};
pub use problem::{FieldError, Problem, ProblemType};
pub use projects::{
    ApiKeyInfo, ApiKeyList, CreateApiKeyRequest, CreateProjectRequest, IssuedApiKey, ProjectInfo, ProjectList, Written,
};
pub use usage::{Allowance, Usage};

/// Request header: wait until the read models have caught up with this position.
pub const CONSISTENCY_HEADER: &str = "x-ctxi-consistency";
/// Response header on writes: the position to pass back in [`CONSISTENCY_HEADER`].
pub const POSITION_HEADER: &str = "x-ctxi-position";
/// Response header on a write (202) that is recorded but not yet in every read model, naming its
/// position: the same caller's later reads wait for it (or answer 503 `consistency-timeout`).
pub const PENDING_HEADER: &str = "x-ctxi-pending";
/// Request header: the CSRF token, equal to the `ctxi_csrf` cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The cookie holding the CSRF token (readable by the page's script, unlike the session's).
pub const CSRF_COOKIE: &str = "ctxi_csrf";
/// The session cookie (HttpOnly).
pub const SESSION_COOKIE: &str = "ctxi_session";
/// Request and response header: the request's id, also recorded in the events it caused.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
