//! RFC 9457 problem details: every error the API answers with.

use serde::{Deserialize, Serialize};

/// An `application/problem+json` body. `type` is stable per kind of problem (see
/// [`ProblemType`]); `detail` is for people and may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request's id, to quote when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// For validation problems: which fields are wrong and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For plan-limit problems: the resource, its cap and the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// For usage quotas that reset (retrievals per month): when the allowance starts afresh,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The kinds of problem, each with a stable `type` URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemType {
    Validation,
    Unauthorized,
    Forbidden,
    Csrf,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PlanLimit,
    IdempotencyKeyReused,
    PayloadTooLarge,
    UnsupportedMediaType,
    ConsistencyTimeout,
    Internal,
    Unavailable,
}

impl ProblemType {
    pub const ALL: [ProblemType; 14] = [
        Self::Validation,
        Self::Unauthorized,
        Self::Forbidden,
        Self::Csrf,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PlanLimit,
        Self::IdempotencyKeyReused,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::ConsistencyTimeout,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The last segment of the `type` URI.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Csrf => "csrf",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::PlanLimit => "plan-limit",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::ConsistencyTimeout => "consistency-timeout",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The `type` URI. It names the kind and need not resolve; the API docs list them.
    pub fn uri(self) -> String {
        format!("https://contextinject.dev/problems/{}", self.slug())
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        let slug = uri.rsplit('/').next()?;
        Self::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

impl Problem {
    pub fn kind(&self) -> Option<ProblemType> {
        ProblemType::from_uri(&self.kind)
    }

    /// One line for a person: the field errors when there are any (each names its field),
    /// else the detail, else the title.
    pub fn message(&self) -> String {
        if self.errors.is_empty() {
            return self.detail.clone().unwrap_or_else(|| self.title.clone());
        }
        self.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_uri() {
        for t in ProblemType::ALL {
            assert_eq!(ProblemType::from_uri(&t.uri()), Some(t));
        }
    }

    #[test]
    fn the_type_field_is_named_type_and_empty_extras_are_left_out() {
        let p = Problem {
            kind: ProblemType::NotFound.uri(),
            title: "Not found".into(),
            status: 404,
            detail: None,
            instance: None,
            errors: vec![],
            resource: None,
            limit: None,
            plan: None,
            resets_at: None,
        };
        assert_eq!(p.message(), "Not found");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "https://contextinject.dev/problems/not-found", "title": "Not found", "status": 404})
        );
    }

    #[test]
    fn the_message_lists_field_errors_once() {
        let p = Problem {
            kind: ProblemType::Validation.uri(),
            title: "The request is invalid".into(),
            status: 400,
            detail: Some("email: must contain an '@'".into()),
            instance: None,
            errors: vec![FieldError { field: "email".into(), message: "must contain an '@'".into() }],
            resource: None,
            limit: None,
            plan: None,
            resets_at: None,
        };
        assert_eq!(p.message(), "email: must contain an '@'");
    }
}
