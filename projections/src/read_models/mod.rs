//! The standard read models, one projector per file.
//!
//! Conventions every projector here follows:
//! - rows depend on the events only (timestamps are the events' own), so a rebuild reproduces
//!   them exactly, whatever the batch sizes;
//! - a batch is folded in memory first, then written with one statement per kind of change
//!   (`INSERT ... SELECT FROM unnest(...)` for new rows, `UPDATE ... FROM unnest(...)` for
//!   changes to rows from earlier batches, `DELETE ... USING unnest(...)`);
//! - new rows are plain inserts, not upserts: the checkpoint commits with the rows, so a row
//!   inserted twice means the checkpoint and the tables disagree, and that must fail loudly
//!   (counters could not be made idempotent anyway); `rebuild` is the repair.

mod api_keys;
mod documents;
mod documents_rows;
mod email_claims;
mod embeddings;
mod embeddings_rows;
mod memberships;
mod project_settings;
mod projects;
mod sessions;
mod tenants;
mod usage;
mod users;

use std::sync::Arc;

pub use api_keys::ApiKeys;
pub use documents::Documents;
pub use email_claims::EmailClaims;
pub use embeddings::Embeddings;
pub use memberships::Memberships;
pub use project_settings::ProjectSettingsModel;
pub use projects::Projects;
pub use sessions::Sessions;
pub use tenants::Tenants;
pub use usage::Usage;
pub use users::Users;

use crate::{ProjectionError, Projector};

/// The names of the standard projectors, in the order [`all`] returns them.
pub const NAMES: &[&str] = &[
    "tenants",
    "users",
    "memberships",
    "projects",
    "api_keys",
    "email_claims",
    "sessions",
    "project_settings",
    "documents",
    "usage",
    "embeddings",
];

/// The standard projectors, as `ctxi serve` runs them.
pub fn all() -> Vec<Arc<dyn Projector>> {
    vec![
        Arc::new(Tenants),
        Arc::new(Users),
        Arc::new(Memberships),
        Arc::new(Projects),
        Arc::new(ApiKeys),
        Arc::new(EmailClaims),
        Arc::new(Sessions),
        Arc::new(ProjectSettingsModel),
        Arc::new(Documents),
        Arc::new(Usage),
        Arc::new(Embeddings),
    ]
}

/// The standard projector called `name`, as `ctxi projections rebuild NAME` asks for it.
pub fn find(name: &str) -> Result<Arc<dyn Projector>, ProjectionError> {
    all().into_iter().find(|p| p.name() == name).ok_or_else(|| ProjectionError::UnknownProjector(name.to_owned()))
}
