//! Application services: gather what the pure domain needs (time, ids, lookups, the actor's
//! role), let the aggregates decide, and append their events atomically with expected versions.
//!
//! Every operation follows one shape: a command with an idempotency key that already
//! completed answers with its stored result; otherwise the streams are loaded, the domain
//! decides, and the events are appended. When another command wrote one of those streams in the
//! meantime the append conflicts, and the command is decided again on the fresh state, so
//! concurrent commands serialise through stream versions and plan limits hold under races.

// Library code handles every error; tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod access;
mod add_member;
mod authenticate;
mod change_plan;
mod configure_project;
mod context;
mod create_project;
mod credentials;
mod documents;
mod error;
mod fingerprint;
mod issue_api_key;
mod load;
mod metering;
mod password;
mod queue;
mod revoke_api_key;
mod run;
mod secrets;
mod sessions;
mod signup;

use std::fmt;
use std::sync::Arc;

use eventstore::EventStore;

pub use change_plan::PlanChange;
pub use context::CommandContext;
pub use create_project::ProjectCreated;
pub use documents::{
    stored_bytes, DocumentAccepted, IndexingOutcome, SubmittedEmbeddings, UploadInput, MAX_DOCUMENT_BYTES, MAX_VECTORS,
};
pub use error::CommandError;
pub use issue_api_key::IssuedApiKey;
pub use load::{load, load_last, Loaded};
pub use metering::{MeterMemo, Metered};
pub use password::verify_password;
pub use secrets::Secrets;
pub use sessions::{hash_token, StartedSession};
pub use signup::{Signup, SignupInput};

/// The write side of ContextInject: one method per command, over any [`EventStore`].
pub struct Commands<S> {
    store: Arc<S>,
    secrets: Secrets,
    /// Uploads take turns per tenant (see [`queue::Turns`]).
    uploads: Arc<queue::Turns<domain::TenantId>>,
}

impl<S: EventStore> Commands<S> {
    pub fn new(store: Arc<S>, secrets: Secrets) -> Self {
        Self { store, secrets, uploads: Arc::default() }
    }

    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }
}

impl<S> Clone for Commands<S> {
    fn clone(&self) -> Self {
        Self { store: Arc::clone(&self.store), secrets: self.secrets.clone(), uploads: Arc::clone(&self.uploads) }
    }
}

impl<S> fmt::Debug for Commands<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Commands").finish_non_exhaustive()
    }
}
