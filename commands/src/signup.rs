//! Signing up: a new user and a new tenant they own, with the email address claimed so that
//! nobody else can register it, all in one atomic append.

use std::fmt;

use domain::{
    EmailAddress, EmailClaim, EmailClaimCommand, PasswordHash, PersonName, Plan, Tenant, TenantCommand, TenantId,
    TenantName, User, UserCommand, UserId, ValidationError,
};
use eventstore::{EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use tracing::field::Empty;
use uuid::Uuid;

use crate::password::{check_policy, hash_password};
use crate::run::{Decision, Done};
use crate::{load, CommandContext, CommandError, Commands, Loaded};

/// A signup form as submitted. Parsed by [`Commands::signup`]; `Debug` hides the personal data
/// and the password.
#[derive(Clone, Deserialize)]
pub struct SignupInput {
    /// The organisation's name.
    pub tenant: String,
    pub email: String,
    pub password: String,
    /// `free`, `starter`, `pro` or `enterprise`.
    pub plan: String,
    /// The person's display name; the part of the address before the `@` when absent.
    pub name: Option<String>,
}

impl fmt::Debug for SignupInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignupInput").field("tenant", &self.tenant).field("plan", &self.plan).finish_non_exhaustive()
    }
}

/// Who signed up, and the position to wait for before reading them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signup {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub position: Position,
}

/// The answer stored for retries.
#[derive(Serialize, Deserialize)]
struct SignedUp {
    tenant_id: TenantId,
    user_id: UserId,
}

impl From<Done<SignedUp>> for Signup {
    fn from(done: Done<SignedUp>) -> Self {
        Self { tenant_id: done.answer.tenant_id, user_id: done.answer.user_id, position: done.position }
    }
}

/// The form, parsed; the password stays apart until it is hashed.
struct Parsed {
    tenant: TenantName,
    email: EmailAddress,
    plan: Plan,
    name: PersonName,
    claim_id: String,
}

/// Ids generated once, so that every attempt records the same ones.
#[derive(Clone, Copy)]
struct NewIds {
    tenant_id: TenantId,
    user_id: UserId,
}

impl<S: EventStore> Commands<S> {
    /// Registers a user and creates the tenant they own, claiming the email address.
    ///
    /// The claim is appended expecting no stream, so of two signups with one address, even
    /// concurrent ones, exactly one succeeds and the other gets [`CommandError::EmailTaken`].
    /// The password is stored only as an argon2id hash. The idempotency fingerprint covers the
    /// email's keyed hash, the tenant name and the plan: never the password or the address.
    #[tracing::instrument(skip_all, fields(tenant_id = Empty, user_id = Empty))]
    pub async fn signup(&self, ctx: &CommandContext, input: SignupInput) -> Result<Signup, CommandError> {
        let (parsed, password) = self.parse_signup(input)?;
        let ids = NewIds { tenant_id: TenantId::new(Uuid::now_v7()), user_id: UserId::new(Uuid::now_v7()) };
        let fingerprinted = json!({
            "email_claim": parsed.claim_id,
            "tenant": parsed.tenant,
            "plan": parsed.plan,
        });
        let command = ctx.prepare("signup", &fingerprinted)?.attributed_to(ids.tenant_id);
        // Before hashing: a retry should not cost another 19 MiB of argon2.
        if let Some(done) = self.replayed::<SignedUp>(&command).await? {
            return Ok(done.into());
        }
        let password_hash = hash_password(password).await?;
        let done =
            self.attempt(&command, || Box::pin(self.decide_signup(&parsed, &password_hash, ids, ctx.at))).await?;
        let span = tracing::Span::current();
        span.record("tenant_id", tracing::field::display(done.answer.tenant_id));
        span.record("user_id", tracing::field::display(done.answer.user_id));
        Ok(done.into())
    }

    fn parse_signup(&self, input: SignupInput) -> Result<(Parsed, String), CommandError> {
        let SignupInput { tenant, email, password, plan, name } = input;
        let email = EmailAddress::parse(&email)?;
        let name = match name {
            Some(name) => PersonName::parse(&name)?,
            None => name_from(&email)?,
        };
        check_policy(&password)?;
        let parsed = Parsed {
            tenant: TenantName::parse(&tenant)?,
            plan: plan.parse()?,
            name,
            claim_id: self.secrets.email_claim_id(&email),
            email,
        };
        Ok((parsed, password))
    }

    async fn decide_signup(
        &self,
        parsed: &Parsed,
        password_hash: &PasswordHash,
        ids: NewIds,
        at: OffsetDateTime,
    ) -> Result<Decision<SignedUp>, CommandError> {
        let NewIds { tenant_id, user_id } = ids;
        let claim = load::<EmailClaim, _>(&*self.store, &parsed.claim_id).await?;
        let streams = vec![
            claim.decide(EmailClaimCommand::ClaimEmail { user_id, at })?,
            Loaded::<User>::fresh(user_id).decide(UserCommand::RegisterUser {
                user_id,
                email: parsed.email.clone(),
                name: parsed.name.clone(),
                password_hash: password_hash.clone(),
                at,
            })?,
            Loaded::<Tenant>::fresh(tenant_id).decide(TenantCommand::CreateTenant {
                tenant_id,
                name: parsed.tenant.clone(),
                plan: parsed.plan,
                owner: user_id,
                at,
            })?,
        ];
        Ok(Decision { streams, answer: SignedUp { tenant_id, user_id } })
    }
}

/// A first display name from the address, which people can change later.
fn name_from(email: &EmailAddress) -> Result<PersonName, ValidationError> {
    let local = email.as_str().split('@').next().unwrap_or_default();
    PersonName::parse(&local.chars().take(100).collect::<String>())
}
