//! The API key aggregate: a credential for one project of one tenant, issued once and
//! revoked for good. Only the prefix and a hash of the key are recorded; see [`mod@format`].

pub mod format;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::{ApiKeyId, ApiKeyName, Decide, ProjectId, TenantId};

/// What can be asked of an API key.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiKeyCommand {
    /// Records a freshly generated key. `prefix` is [`format::ApiKeySecret::prefix`] and
    /// `secret_hash` the hash of the whole key, both computed by the caller.
    IssueApiKey {
        key_id: ApiKeyId,
        tenant_id: TenantId,
        project_id: ProjectId,
        name: ApiKeyName,
        prefix: String,
        secret_hash: String,
        at: OffsetDateTime,
    },
    RevokeApiKey {
        at: OffsetDateTime,
    },
}

/// What happened to an API key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiKeyEvent {
    ApiKeyIssued {
        key_id: ApiKeyId,
        tenant_id: TenantId,
        project_id: ProjectId,
        name: String,
        prefix: String,
        secret_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    ApiKeyRevoked {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for ApiKeyEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ApiKeyIssued { .. } => "ApiKeyIssued",
            Self::ApiKeyRevoked { .. } => "ApiKeyRevoked",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Why an API key refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiKeyError {
    #[error("the API key does not exist")]
    NotFound,
    #[error("the API key has already been issued")]
    AlreadyIssued,
    #[error("the API key has already been revoked")]
    AlreadyRevoked,
}

/// An API key as its events describe it; `None` until issued.
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct ApiKey {
    issued: Option<IssuedApiKey>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedApiKey {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiKey {
    pub fn issued(&self) -> Option<&IssuedApiKey> {
        self.issued.as_ref()
    }

    /// Whether requests carrying this key may be served.
    pub fn is_active(&self) -> bool {
        self.issued.as_ref().is_some_and(|key| key.revoked_at.is_none())
    }
}

impl Decide for ApiKey {
    const TYPE: &'static str = "api_key";
    type Command = ApiKeyCommand;
    type Event = ApiKeyEvent;
    type Error = ApiKeyError;

    fn decide(&self, command: ApiKeyCommand) -> Result<Vec<ApiKeyEvent>, ApiKeyError> {
        match (command, &self.issued) {
            (ApiKeyCommand::IssueApiKey { key_id, tenant_id, project_id, name, prefix, secret_hash, at }, None) => {
                Ok(vec![ApiKeyEvent::ApiKeyIssued {
                    key_id,
                    tenant_id,
                    project_id,
                    name: name.into_string(),
                    prefix,
                    secret_hash,
                    at,
                }])
            }
            (ApiKeyCommand::IssueApiKey { .. }, Some(_)) => Err(ApiKeyError::AlreadyIssued),
            (ApiKeyCommand::RevokeApiKey { .. }, None) => Err(ApiKeyError::NotFound),
            (ApiKeyCommand::RevokeApiKey { .. }, Some(key)) if key.revoked_at.is_some() => {
                Err(ApiKeyError::AlreadyRevoked)
            }
            (ApiKeyCommand::RevokeApiKey { at }, Some(_)) => Ok(vec![ApiKeyEvent::ApiKeyRevoked { at }]),
        }
    }

    fn apply(&mut self, event: ApiKeyEvent) {
        match event {
            ApiKeyEvent::ApiKeyIssued { key_id, tenant_id, project_id, name, prefix, secret_hash, .. } => {
                self.issued = Some(IssuedApiKey {
                    id: key_id,
                    tenant_id,
                    project_id,
                    name,
                    prefix,
                    secret_hash,
                    revoked_at: None,
                });
            }
            ApiKeyEvent::ApiKeyRevoked { at } => {
                if let Some(key) = &mut self.issued {
                    key.revoked_at = Some(at);
                }
            }
        }
    }
}
