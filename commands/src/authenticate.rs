//! Checking a sign-in: the address's claim names the user, whose password hash is checked.

use domain::{EmailAddress, EmailClaim, User, UserId};
use eventstore::EventStore;

use crate::password::verify_with_equal_effort;
use crate::{load, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// The user these credentials belong to, or `None`. An unknown address and a wrong password
    /// give the same answer after the same argon2 work, so sign-in cannot be used to find out
    /// which addresses are registered. Reads the streams directly, not a read model, so a user
    /// can sign in the moment signup returns.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<UserId>, CommandError> {
        // A malformed address cannot be registered; refusing it early reveals nothing.
        let Ok(email) = EmailAddress::parse(email) else {
            return Ok(None);
        };
        let claim = load::<EmailClaim, _>(&*self.store, self.secrets.email_claim_id(&email)).await?;
        let user = match claim.state.claimed_by() {
            Some(user_id) => load::<User, _>(&*self.store, user_id).await?.state,
            None => User::default(),
        };
        let registered = user.registered().map(|u| (u.id, u.password_hash.as_str().to_owned()));
        let phc = registered.as_ref().map(|(_, phc)| phc.clone());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_with_equal_effort(phc.as_deref(), &password))
            .await
            .map_err(|e| CommandError::PasswordHashing(e.to_string()))?;
        Ok(registered.filter(|_| matches).map(|(id, _)| id))
    }
}
