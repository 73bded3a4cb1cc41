//! The embedded default: a private PostgreSQL cluster in the data folder, used when no
//! `DATABASE_URL` is given.
//!
//! It runs the installed server binaries (`/usr/lib/postgresql/<version>/bin`), listens only on
//! a Unix socket inside the data folder (no TCP; trust authentication is safe behind a socket
//! only its owner can open), and is reused when already running. PostgreSQL refuses to run as
//! root, so a root caller runs it as the `postgres` system user, which then owns the cluster.

use std::path::{Path, PathBuf};
use std::process::Output;

use anyhow::{anyhow, bail, Context};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::process::Command;

/// The database the platform uses inside the embedded cluster.
const DATABASE: &str = "ctxi";
/// Unix socket paths are limited to 107 bytes; PostgreSQL adds `/.s.PGSQL.5432`.
const MAX_SOCKET_DIR: usize = 90;

#[derive(Debug)]
pub struct EmbeddedPostgres {
    cluster: PathBuf,
    socket_dir: PathBuf,
    bin: PathBuf,
    /// Server commands run through `runuser -u postgres` (we are root).
    as_postgres: bool,
    /// This process started the server, so it stops it.
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Creates the cluster under `data_dir` if needed, starts it unless it runs already, and
    /// makes sure the platform's database exists.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin = server_binaries()?;
        tokio::fs::create_dir_all(data_dir).await.with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = tokio::fs::canonicalize(data_dir).await?;
        let (cluster, socket_dir) = (data_dir.join("postgres"), data_dir.join("run"));
        if socket_dir.as_os_str().len() > MAX_SOCKET_DIR {
            bail!(
                "the data folder path {} is too long for a Unix socket; choose a shorter --data-dir",
                data_dir.display()
            );
        }
        for dir in [&cluster, &socket_dir] {
            tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
        }
        let as_postgres = running_as_root().await?;
        let mut pg = Self { cluster, socket_dir, bin, as_postgres, started_here: false };
        if as_postgres {
            pg.hand_to_postgres_user().await?;
        }
        if !pg.cluster.join("PG_VERSION").exists() {
            pg.initdb().await?;
        }
        if !pg.is_running().await {
            pg.run_server().await?;
            pg.started_here = true;
        }
        pg.ensure_database().await?;
        Ok(pg)
    }

    /// How to connect: over the cluster's socket, as `postgres`, to the platform's database.
    pub fn connect_options(&self) -> PgConnectOptions {
        PgConnectOptions::new().socket(&self.socket_dir).username("postgres").database(DATABASE)
    }

    /// Stops the server if this process started it; a server found running is left running.
    pub async fn stop(self) -> anyhow::Result<()> {
        if self.started_here {
            let out = self.pg_ctl(&["stop", "-m", "fast", "-w"]).await?;
            check(&out, "stopping the embedded PostgreSQL")?;
        }
        Ok(())
    }

    async fn hand_to_postgres_user(&self) -> anyhow::Result<()> {
        for dir in [&self.cluster, &self.socket_dir] {
            let out = Command::new("chown").arg("-R").arg("postgres:postgres").arg(dir).output().await?;
            check(&out, "giving the embedded cluster to the postgres user (does that user exist?)")?;
        }
        Ok(())
    }

    async fn initdb(&self) -> anyhow::Result<()> {
        let cluster = self.cluster.to_string_lossy().into_owned();
        let args = ["-D", &cluster, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"];
        let out = self.server_command("initdb", &args).await?;
        check(&out, "creating the embedded PostgreSQL cluster (initdb)")
    }

    async fn is_running(&self) -> bool {
        self.pg_ctl(&["status"]).await.map(|o| o.status.success()).unwrap_or(false)
    }

    async fn run_server(&self) -> anyhow::Result<()> {
        let log = self.cluster.join("server.log").to_string_lossy().into_owned();
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c unix_socket_permissions=0700",
            self.socket_dir.display()
        );
        let out = self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log, "-o", &options]).await?;
        check(&out, &format!("starting the embedded PostgreSQL (see {log})"))
    }

    async fn ensure_database(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect_with(&self.connect_options().database("postgres"))
            .await
            .context("connecting to the embedded PostgreSQL")?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            sqlx::query(&format!("CREATE DATABASE {DATABASE}")).execute(&mut conn).await?;
        }
        conn.close().await?;
        Ok(())
    }

    async fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<Output> {
        let cluster = self.cluster.to_string_lossy().into_owned();
        let mut all = vec!["-D", cluster.as_str()];
        all.extend_from_slice(args);
        self.server_command("pg_ctl", &all).await
    }

    async fn server_command(&self, program: &str, args: &[&str]) -> anyhow::Result<Output> {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args).output().await.with_context(|| format!("running {}", program.display()))
    }
}

/// The newest installed PostgreSQL server's binaries.
fn server_binaries() -> anyhow::Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "no DATABASE_URL is set and no PostgreSQL server is installed under /usr/lib/postgresql/*/bin; \
             install the `postgresql` package (scripts/setup.sh does) or set DATABASE_URL"
        )
    })
}

async fn running_as_root() -> anyhow::Result<bool> {
    let out = Command::new("id").arg("-u").output().await.context("running `id -u`")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn check(out: &Output, doing: &str) -> anyhow::Result<()> {
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    bail!("{doing} failed: {}", stderr.trim())
}
