//! Whether a credential still works, from the event store: for a request whose read models may
//! not include the credential's sign-out or revocation yet.

use domain::{ApiKey, ApiKeyId, Session, SessionId};
use eventstore::EventStore;
use time::OffsetDateTime;

use crate::{load, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// Whether `session_id` was started, has not ended and has not expired at `at`.
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn session_is_live(&self, session_id: SessionId, at: OffsetDateTime) -> Result<bool, CommandError> {
        let session = load::<Session, _>(&*self.store, session_id).await?;
        Ok(session.state.started().is_some_and(|s| s.ended_at.is_none() && s.expires_at > at))
    }

    /// Whether `key_id` was issued and not revoked.
    #[tracing::instrument(skip_all, fields(%key_id))]
    pub async fn api_key_is_live(&self, key_id: ApiKeyId) -> Result<bool, CommandError> {
        let key = load::<ApiKey, _>(&*self.store, key_id).await?;
        Ok(key.state.is_active())
    }
}
