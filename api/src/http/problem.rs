//! Every error the API answers with, as RFC 9457 `application/problem+json`.
//!
//! Handlers return `Result<_, ApiError>`; a [`CommandError`] converts with `?`. Errors that
//! are ours (5xx) are logged in full and answered with nothing internal in them.

use api_types::{FieldError, Problem, ProblemType};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use commands::CommandError;
use domain::ValidationError;

use super::request_id::current_request_id;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A refused or failed request, on its way to becoming a [`Problem`].
#[derive(Debug)]
pub struct ApiError {
    kind: ProblemType,
    status: StatusCode,
    detail: Option<String>,
    errors: Vec<FieldError>,
    /// Boxed: rare, and it would make every `Result<_, ApiError>` large.
    plan_limit: Option<Box<PlanLimit>>,
}

/// The cap a plan-limit problem is about.
#[derive(Debug)]
struct PlanLimit {
    resource: String,
    limit: u64,
    plan: String,
    /// When a used-up quota starts afresh, for `resets_at` and `Retry-After`.
    resets_at: Option<time::OffsetDateTime>,
}

impl ApiError {
    pub fn new(kind: ProblemType, status: StatusCode, detail: impl Into<String>) -> Self {
        Self { kind, status, detail: Some(detail.into()), errors: Vec::new(), plan_limit: None }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ProblemType::NotFound, StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthorized, StatusCode::UNAUTHORIZED, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, StatusCode::FORBIDDEN, detail)
    }

    /// A bad input, pointing at the field in the request body's own words.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::new(ProblemType::Validation, StatusCode::BAD_REQUEST, format!("{field}: {message}"));
        e.errors.push(FieldError { field: field.to_owned(), message });
        e
    }

    /// Ours, not the caller's: logged with its cause, answered without it.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error_chain(cause), "request failed");
        Self::new(
            ProblemType::Internal,
            StatusCode::INTERNAL_SERVER_ERROR,
            "something went wrong on our side; quote the instance when reporting it",
        )
    }

    pub fn kind(&self) -> ProblemType {
        self.kind
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn title(kind: ProblemType) -> &'static str {
    match kind {
        ProblemType::Validation => "The request is invalid",
        ProblemType::Unauthorized => "Sign-in required",
        ProblemType::Forbidden => "Not allowed",
        ProblemType::Csrf => "Missing or wrong CSRF token",
        ProblemType::NotFound => "Not found",
        ProblemType::MethodNotAllowed => "Method not allowed",
        ProblemType::Conflict => "Conflict",
        ProblemType::PlanLimit => "Plan limit reached",
        ProblemType::IdempotencyKeyReused => "Idempotency key reused",
        ProblemType::PayloadTooLarge => "Payload too large",
        ProblemType::UnsupportedMediaType => "Unsupported media type",
        ProblemType::ConsistencyTimeout => "Read models are behind",
        ProblemType::Internal => "Internal error",
        ProblemType::Unavailable => "Service unavailable",
    }
}

/// The request body field a domain validation error is about: the domain names its values
/// (`tenant_name`), the API its fields (`tenant`).
fn body_field(domain_field: &str) -> &str {
    match domain_field {
        "tenant_name" => "tenant",
        "project_name" | "api_key_name" | "person_name" => "name",
        other => other,
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        let text = e.to_string();
        let message = text.strip_prefix(&format!("{}: ", e.field())).unwrap_or(&text);
        Self::invalid(body_field(e.field()), message)
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Validation(v) => v.into(),
            CommandError::NotFound(what) => Self::not_found(what),
            CommandError::Forbidden => Self::forbidden(e.to_string()),
            CommandError::PlanLimit { resource, limit, plan } => {
                let mut api = Self::new(
                    ProblemType::PlanLimit,
                    StatusCode::FORBIDDEN,
                    format!("{e}; upgrade the plan to add more"),
                );
                api.plan_limit = Some(Box::new(PlanLimit {
                    resource: resource.to_owned(),
                    limit,
                    plan: plan.to_string(),
                    resets_at: None,
                }));
                api
            }
            CommandError::QuotaExceeded { resource, limit, plan, resets_at, .. } => {
                let mut api = Self::new(
                    ProblemType::PlanLimit,
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("{e}; upgrade the plan for more"),
                );
                api.plan_limit = Some(Box::new(PlanLimit {
                    resource: resource.to_owned(),
                    limit,
                    plan: plan.to_string(),
                    resets_at,
                }));
                api
            }
            CommandError::Unreadable(reason) => {
                let mut api = Self::invalid("content", &reason);
                api.status = StatusCode::UNPROCESSABLE_ENTITY;
                api
            }
            CommandError::EmailTaken | CommandError::Conflict | CommandError::Domain(_) => {
                Self::new(ProblemType::Conflict, StatusCode::CONFLICT, e.to_string())
            }
            CommandError::IdempotencyKeyReused => {
                Self::new(ProblemType::IdempotencyKeyReused, StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            CommandError::PasswordHashing(_) | CommandError::Store(_) => Self::internal(&e),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (resource, limit, plan, resets_at) = match self.plan_limit {
            Some(p) => (Some(p.resource), Some(p.limit), Some(p.plan), p.resets_at),
            None => (None, None, None, None),
        };
        let problem = Problem {
            kind: self.kind.uri(),
            title: title(self.kind).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            instance: current_request_id().map(|id| format!("urn:ctxi:request:{id}")),
            errors: self.errors,
            resource,
            limit,
            plan,
            resets_at: resets_at.and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok()),
        };
        let mut response = (self.status, axum::Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(at) = resets_at {
            let seconds = (at - time::OffsetDateTime::now_utc()).whole_seconds().max(1);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
