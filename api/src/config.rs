//! Where the CLI finds PostgreSQL and the key-encryption key.

use std::str::FromStr;

use anyhow::{anyhow, Context};
use clap::Args;
use eventstore::postgres::{connect, PoolConfig};
use eventstore::sealing::KeyEncryptionKey;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

/// The role the application runs as: it may append and read events but never rewrite them.
pub const APP_ROLE: &str = "ctxi_app";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/ctxi
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DatabaseArgs {
    pub fn options(&self) -> anyhow::Result<PgConnectOptions> {
        let url = self.database_url.as_deref().ok_or_else(|| {
            anyhow!("no database configured: set DATABASE_URL (or --database-url), e.g. postgres://postgres@127.0.0.1:5432/ctxi")
        })?;
        PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")
    }

    /// A pool with the connecting user's own privileges: for migrations only.
    pub async fn admin_pool(&self) -> anyhow::Result<PgPool> {
        let options = self.options()?;
        connect(options, &PoolConfig { max_connections: 4, role: None })
            .await
            .context("cannot connect to PostgreSQL (is it running, and is DATABASE_URL right?)")
    }

    /// A pool running as the application role, as everything but migrations does.
    pub async fn app_pool(&self, max_connections: u32) -> anyhow::Result<PgPool> {
        let options = self.options()?;
        connect(options, &PoolConfig { max_connections, role: Some(APP_ROLE.into()) })
            .await
            .context("cannot connect to PostgreSQL as the application role (has `ctxi migrate` run?)")
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
