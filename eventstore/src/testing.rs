//! Test support: a fresh, migrated PostgreSQL database per test, dropped afterwards.
//!
//! The server comes from `TEST_DATABASE_URL`, else `DATABASE_URL`, else
//! `postgres://postgres@127.0.0.1:5432/postgres`; the user must be allowed to create databases.

// Test support fails loudly: a test without its database cannot run.
#![allow(clippy::expect_used)]

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::postgres::{connect, PoolConfig, MIGRATOR};
use crate::sealing::KeyEncryptionKey;
use crate::PostgresStore;

/// A throwaway database; dropped (with its connections) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    pub name: String,
    /// Options to connect as the server's admin user (superuser in tests).
    pub admin: PgConnectOptions,
    /// A pool as the admin user.
    pub pool: PgPool,
    server: String,
}

pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDatabase {
    /// Creates and migrates a database named after the test, on the server of [`server_url`].
    pub async fn create(label: &str) -> Self {
        Self::create_on(&server_url(), label).await
    }

    /// Creates and migrates a database named after `label` on the server at `url`.
    pub async fn create_on(url: &str, label: &str) -> Self {
        Self::try_create_on(url, label).await.expect("create a migrated test database")
    }

    /// Like [`TestDatabase::create_on`], for callers that report errors (the benches).
    pub async fn try_create_on(url: &str, label: &str) -> Result<Self, sqlx::Error> {
        let database = Self::try_create_empty_on(url, label).await?;
        MIGRATOR.run(&database.pool).await?;
        Ok(database)
    }

    /// Like [`TestDatabase::try_create_on`], without migrating: for a `ctxi serve` of another
    /// build, which applies its own migrations.
    pub async fn try_create_empty_on(url: &str, label: &str) -> Result<Self, sqlx::Error> {
        let server = PgConnectOptions::from_str(url)?;
        let short: String = label.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(30).collect();
        let name = format!("ctxi_t_{}_{}", short.to_lowercase(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let mut conn = server.connect().await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
        conn.close().await.ok();
        // From here on, dropping `database` drops the database again, also on errors.
        let admin = server.database(&name);
        let pool = connect(admin.clone(), &PoolConfig { max_connections: 8, role: None }).await?;
        Ok(Self { name, admin, pool, server: url.to_owned() })
    }

    /// The URL of this database, for child processes such as the `ctxi` binary.
    pub fn url(&self) -> String {
        let (base, query) = self.server.split_once('?').map_or((self.server.as_str(), None), |(b, q)| (b, Some(q)));
        let authority_end = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[authority_end..].find('/').map_or(base.len(), |i| authority_end + i);
        let mut url = format!("{}/{}", &base[..path_start], self.name);
        if let Some(query) = query {
            url = format!("{url}?{query}");
        }
        url
    }

    /// A pool that runs as the restricted application role, as `ctxi serve` does.
    pub async fn app_pool(&self, max_connections: u32) -> PgPool {
        let config = PoolConfig { max_connections, role: Some("ctxi_app".into()) };
        connect(self.admin.clone(), &config).await.expect("connect as ctxi_app")
    }

    /// A store as the application role, with a fresh key-encryption key.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::new(self.app_pool(16).await, KeyEncryptionKey::generate().0)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let url = self.server.clone();
        // Drop runs inside the test's runtime, which cannot block on async work: use a thread
        // with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async move {
                let mut conn = PgConnection::connect(&url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        });
        let _ = dropped.join();
    }
}
