//! Issuing an API key for a project: the key is shown once and stored only as a hash.

use domain::{ApiKey, ApiKeyCommand, ApiKeyId, ApiKeyName, ApiKeySecret, ProjectId, Role, Tenant, TenantId};
use eventstore::{Actor, EventStore, Position};
use rand::distributions::Alphanumeric;
use rand::rngs::OsRng;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::authorize;
use crate::run::Decision;
use crate::{load, CommandContext, CommandError, Commands, Loaded};

const PREFIX_LEN: usize = 8;
/// 32 base62 characters: about 190 bits drawn from the operating system's CSPRNG.
const SECRET_LEN: usize = 32;

/// A newly issued key. `secret` is the whole key (`ctxi_<prefix>_<secret>`), present only in
/// the response that created it: a retry with the same idempotency key gets `None`, because
/// the stored outcome never holds the key. Whoever lost the response issues a new key.
#[derive(Debug, Clone)]
pub struct IssuedApiKey {
    pub key_id: ApiKeyId,
    /// Not secret: shown in key listings, so people can tell their keys apart.
    pub prefix: String,
    pub secret: Option<ApiKeySecret>,
    pub position: Position,
}

/// The answer stored for retries: everything but the key itself.
#[derive(Serialize, Deserialize)]
struct Issued {
    key_id: ApiKeyId,
    prefix: String,
}

/// The key, and what is recorded of it.
struct NewKey {
    key_id: ApiKeyId,
    secret: ApiKeySecret,
    /// Hex SHA-256 of the whole key. A single fast hash is right here, unlike for passwords:
    /// the key carries ~190 random bits, so no guessing attack exists for a slow hash to slow
    /// down, and every API request has to verify it cheaply.
    secret_hash: String,
}

impl<S: EventStore> Commands<S> {
    /// Issues a key for `project_id`, which must belong to `tenant_id`, for members who may
    /// manage keys.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id))]
    pub async fn issue_api_key(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        name: &str,
    ) -> Result<IssuedApiKey, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let name = ApiKeyName::parse(name)?;
        let command =
            ctx.prepare("issue_api_key", &json!({ "tenant_id": tenant_id, "project_id": project_id, "name": name }))?;
        let key = generate()?;
        let done = self
            .run(&command, || {
                Box::pin(self.decide_issue_api_key(&ctx.actor, tenant_id, project_id, &name, &key, ctx.at))
            })
            .await?;
        Ok(IssuedApiKey {
            key_id: done.answer.key_id,
            prefix: done.answer.prefix,
            secret: (!done.replayed).then_some(key.secret),
            position: done.position,
        })
    }

    async fn decide_issue_api_key(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        project_id: ProjectId,
        name: &ApiKeyName,
        key: &NewKey,
        at: OffsetDateTime,
    ) -> Result<Decision<Issued>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize(&tenant.state, actor, Role::can_manage_api_keys)?;
        if !tenant.state.has_project(project_id) {
            return Err(CommandError::NotFound("project"));
        }
        let prefix = key.secret.prefix().as_str().to_owned();
        let issue = ApiKeyCommand::IssueApiKey {
            key_id: key.key_id,
            tenant_id,
            project_id,
            name: name.clone(),
            prefix: prefix.clone(),
            secret_hash: key.secret_hash.clone(),
            at,
        };
        Ok(Decision {
            streams: vec![Loaded::<ApiKey>::fresh(key.key_id).decide(issue)?],
            answer: Issued { key_id: key.key_id, prefix },
        })
    }
}

fn generate() -> Result<NewKey, CommandError> {
    let secret = ApiKeySecret::from_parts(&random_token(PREFIX_LEN), &random_token(SECRET_LEN))?;
    let secret_hash = hex::encode(Sha256::digest(secret.expose().as_bytes()));
    Ok(NewKey { key_id: ApiKeyId::new(Uuid::now_v7()), secret, secret_hash })
}

fn random_token(len: usize) -> String {
    OsRng.sample_iter(Alphanumeric).take(len).map(char::from).collect()
}
