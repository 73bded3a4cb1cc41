//! Where the CLI finds PostgreSQL (a server, or the embedded default) and the key-encryption key.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{anyhow, Context};

use crate::embedded::EmbeddedPostgres;
use clap::Args;
use eventstore::postgres::{connect, PoolConfig};
use eventstore::sealing::KeyEncryptionKey;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

/// The role the application runs as: it may append and read events but never rewrite them.
pub const APP_ROLE: &str = "ctxi_app";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/ctxi. Without it, a private
    /// PostgreSQL cluster in the data folder is used (started, or reused if running).
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the embedded PostgreSQL keeps its cluster when no DATABASE_URL is given.
    #[arg(long = "data-dir", env = "CTXI_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// Connects to `DATABASE_URL`, or starts (or reuses) the embedded cluster. Call
    /// [`Database::close`] when done, so an embedded server started here stops again.
    pub async fn open(&self) -> anyhow::Result<Database> {
        match &self.database_url {
            Some(url) => {
                let options = PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?;
                Ok(Database { options, embedded: None })
            }
            None => {
                let embedded = EmbeddedPostgres::start(&self.data_dir).await?;
                Ok(Database { options: embedded.connect_options(), embedded: Some(embedded) })
            }
        }
    }
}

/// An open database: the configured server or the embedded one.
#[derive(Debug)]
pub struct Database {
    options: PgConnectOptions,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// A pool with the connecting user's own privileges: for migrations only.
    pub async fn admin_pool(&self) -> anyhow::Result<PgPool> {
        connect(self.options.clone(), &PoolConfig { max_connections: 4, role: None })
            .await
            .context("cannot connect to PostgreSQL (is it running, and is DATABASE_URL right?)")
    }

    /// A pool running as the application role, as everything but migrations does.
    pub async fn app_pool(&self, max_connections: u32) -> anyhow::Result<PgPool> {
        connect(self.options.clone(), &PoolConfig { max_connections, role: Some(APP_ROLE.into()) })
            .await
            .context("cannot connect to PostgreSQL as the application role (has `ctxi migrate` run?)")
    }

    /// Stops the embedded server if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        match self.embedded {
            Some(embedded) => embedded.stop().await,
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct KekArgs {
    /// Key-encryption key: 32 random bytes in base64 (`head -c 32 /dev/urandom | base64`). It wraps every
    /// subject's data key; losing it makes all personal data unreadable.
    #[arg(long = "kek", env = "CTXI_KEK", hide_env_values = true)]
    pub kek: Option<String>,
}

impl KekArgs {
    pub fn key(&self) -> anyhow::Result<KeyEncryptionKey> {
        let encoded = self.kek.as_deref().ok_or_else(|| {
            anyhow!("CTXI_KEK is not set: it must be 32 random bytes in base64, e.g. `export CTXI_KEK=$(head -c 32 /dev/urandom | base64)`")
        })?;
        KeyEncryptionKey::from_base64(encoded).context("CTXI_KEK is invalid")
    }
}

/// A 32-byte key for `purpose`, derived from the key-encryption key (HMAC-SHA256 of the
/// purpose under the KEK's bytes), so that operators configure one secret. The email lookup
/// key derived here must stay the same for the life of the data: rotating the KEK means
/// re-wrapping data keys under a new one while keeping this derivation's input.
pub fn derive_key(kek_base64: &str, purpose: &str) -> anyhow::Result<[u8; 32]> {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let kek = base64::engine::general_purpose::STANDARD.decode(kek_base64.trim()).context("CTXI_KEK is not base64")?;
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&kek).context("CTXI_KEK cannot key an HMAC")?;
    mac.update(b"ctxi derived key v1: ");
    mac.update(purpose.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}
