//! ContextInject's domain: aggregates decide, events record, plans limit.
//!
//! Everything here is pure and synchronous. Time, ids and anything looked up elsewhere come in
//! with the command, gathered by the `commands` crate; nothing here performs IO.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod api_key;
pub mod document;
pub mod email;
pub mod email_claim;
pub mod embedding;
pub mod ids;
pub mod names;
pub mod personal;
pub mod plan;
pub mod project;
pub mod project_embeddings;
pub mod role;
pub mod session;
pub mod tenant;
pub mod usage;
pub mod user;
pub mod validation;

pub use api_key::format::{ApiKeyPrefix, ApiKeySecret};
pub use api_key::{ApiKey, ApiKeyCommand, ApiKeyError, ApiKeyEvent, IssuedApiKey};
pub use document::{
    Document, DocumentCommand, DocumentError, DocumentEvent, DocumentFormat, DocumentQuota, DocumentStatus,
    DocumentTitle, InjectionPolicy, Metadata, PiiKind, PiiPolicy, QuotaCommand, QuotaError, QuotaEvent,
    UploadedDocument,
};
pub use email::EmailAddress;
pub use email_claim::{EmailClaim, EmailClaimCommand, EmailClaimError, EmailClaimEvent};
pub use ids::{ApiKeyId, DocumentId, ProjectId, SessionId, TenantId, UserId};
pub use names::{ApiKeyName, PersonName, ProjectName, TenantName};
pub use personal::{Personal, SubjectId, PERSONAL_TAG};
pub use plan::{Limit, Plan, PlanLimits};
pub use project::{CreatedProject, Project, ProjectCommand, ProjectError, ProjectEvent, ProjectSettings};
pub use project_embeddings::{ChunkVector, EmbeddingsCommand, EmbeddingsError, EmbeddingsEvent, ProjectEmbeddings};
pub use role::Role;
pub use session::{Session, SessionCommand, SessionError, SessionEvent, StartedSession};
pub use tenant::{Tenant, TenantCommand, TenantError, TenantEvent};
pub use usage::{MeterCommand, MeterError, MeterEvent, RetrievalMeter, UsageMonth};
pub use user::{PasswordHash, RegisteredUser, User, UserCommand, UserError, UserEvent};
pub use validation::ValidationError;

/// A pure aggregate: it decides what happens from its current state and a command, and evolves
/// by applying events. The `commands` crate adapts it to cqrs-es for the given/when/then tests
/// and loads and appends it through the event store.
pub trait Decide: Default + Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync {
    /// The stream type under which this aggregate's events are stored.
    const TYPE: &'static str;
    type Command;
    type Event: cqrs_es::DomainEvent;
    type Error: std::error::Error + PartialEq + Send + Sync + 'static;

    /// What happens when `command` meets the current state: the events to record, or why not.
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error>;

    /// The state after `event`.
    fn apply(&mut self, event: Self::Event);
}
