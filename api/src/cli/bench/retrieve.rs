//! Retrieval latency over a large project: an open-loop load generator on loopback against
//! `ctxi serve`, beside the same queries run as the API's SQL directly, then the highest rate
//! the API sustains.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use eventstore::postgres::{connect, PoolConfig};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use eventstore::{Position, PostgresStore};
use sqlx::{ConnectOptions, PgPool};
use uuid::Uuid;

use super::corpus::{Queries, Vocabulary};
use super::cpu::{self, CpuMark};
use super::load::{LoadArgs, Summary};
use super::populate::populate;
use super::ranking;
use super::server::Server;
use super::sweep::{sweep, Limits};
use super::target::{cache_lookups, Appends, Target};

const SEED: u64 = 0xC0FFEE;
/// Connections of the direct-SQL client: as many as `ctxi serve` has.
const SQL_CONNECTIONS: u32 = 16;
/// Queries run one at a time, for the latency of the work alone.
const SEQUENTIAL: usize = 300;
/// Distinct queries of the cache pass, asked over and over.
const REPEATED: usize = 300;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub chunks: usize,
    pub load: LoadArgs,
    /// Most frequent words queries never use.
    pub skip_common: usize,
}

pub async fn run(db: &TestDatabase, options: Options) -> anyhow::Result<()> {
    let (kek, kek_text) = KeyEncryptionKey::generate();
    let server = Server::start(db, &kek_text).await?;
    let http = reqwest::Client::new();
    let tenant = server.tenant(&http).await?;
    server.stop().await?;

    let store = Arc::new(PostgresStore::new(pool(db, 4).await?, kek));
    let started = Instant::now();
    let written = populate(store, &tenant, options.chunks).await?;
    println!(
        "{} documents, {} chunks appended to the event store in {:.0} s (generated and chunked in process, \
         not uploaded: the ingest bench measures uploads)",
        written.documents,
        written.chunks,
        started.elapsed().as_secs_f64()
    );
    let head = skip_ingestion(&db.pool).await?;
    let server = Server::start(db, &kek_text).await?;
    let started = Instant::now();
    projections::wait_for(&db.pool, "documents", head, Duration::from_secs(3_600)).await?;
    println!("the documents projector built the read model in {:.0} s", started.elapsed().as_secs_f64());
    // The other projectors read the same log: nothing is measured while one still catches up.
    for projector in projections::all() {
        projections::wait_for(&db.pool, projector.name(), head, Duration::from_secs(3_600)).await?;
    }
    println!("every projector caught up {:.0} s after the server started", started.elapsed().as_secs_f64());
    settle(&db.pool, &["chunks", "documents"]).await?;
    describe(&db.pool).await?;

    let vocab = Vocabulary::new(options.skip_common);
    let mut queries = Queries::new(SEED);
    let sample = queries.take(&vocab, 200);
    matches(&db.pool, tenant.project_id, &sample).await?;
    ranking::in_process(&db.pool, tenant.project_id, &sample).await?;

    let api = Target::Api {
        http: http.clone(),
        url: format!("{}/v1/projects/{}/retrieve", server.base, tenant.project_id),
        secret: tenant.secret.clone(),
    };
    let sql = Target::Sql { pool: pool(db, SQL_CONNECTIONS).await?, project: tenant.project_id };
    let (rate, seconds, c) = (options.load.rate, Duration::from_secs(options.load.seconds), options.load.concurrency);

    println!("{} before the first query", cpu::resident(server.pid()));
    ranking::wait_for_server(&api, &http, &server.base, &sample).await?;
    println!("{} with the word index read", cpu::resident(server.pid()));
    let warm = Arc::new(queries.take(&vocab, (rate * 3.0) as usize));
    api.at_rate(&warm, rate, Duration::from_secs(3), c).await;
    let fresh = Arc::new(queries.take(&vocab, (rate * seconds.as_secs_f64()).round() as usize));
    println!("\n{rate:.0} requests/s for {}s, open loop, every query distinct, top_k 5", seconds.as_secs());
    println!("{:<22}{}", "", Summary::HEADER);
    let before = cache_lookups(&http, &server.base).await?;
    let appends = Appends::read(&http, &server.base).await?;
    let cpu = CpuMark::now(server.pid());
    let through_api = api.at_rate(&fresh, rate, seconds, c).await;
    let cpu = cpu.report(server.pid());
    let after = cache_lookups(&http, &server.base).await?;
    let appends = Appends::read(&http, &server.base).await?.since(appends);
    let sql_cpu = CpuMark::now(server.pid());
    let direct = sql.at_rate(&fresh, rate, seconds, c).await;
    let sql_cpu = sql_cpu.report(server.pid());
    println!("{:<22}{}", "API (HTTP, loopback)", through_api.row(rate));
    println!("{:<22}{}", "direct SQL, same", direct.row(rate));
    println!("{:<22}{cpu} (during the API run)", "");
    println!("{:<22}{sql_cpu} (during the direct SQL run)", "");
    println!("{:<22}cache hits {}", "", hit_share(before, after));
    println!("{:<22}{appends} (during the API run)", "");

    let one_by_one = queries.take(&vocab, SEQUENTIAL);
    println!("\n{SEQUENTIAL} distinct queries one at a time (no queueing); first the floor: a GET of the project");
    println!("{:<22}{}", "", Summary::HEADER);
    let floor = Target::Floor {
        http: http.clone(),
        url: format!("{}/v1/projects/{}", server.base, tenant.project_id),
        secret: tenant.secret.clone(),
    };
    println!("{:<22}{}", "API, GET project", floor.one_by_one(&one_by_one).await.row(f64::NAN));
    println!("{:<22}{}", "API (HTTP, loopback)", api.one_by_one(&one_by_one).await.row(f64::NAN));
    println!("{:<22}{}", "direct SQL, same", sql.one_by_one(&one_by_one).await.row(f64::NAN));

    let repeated = Arc::new(queries.take(&vocab, REPEATED));
    println!("\ncache: {REPEATED} distinct queries asked over and over at {rate:.0}/s for {}s", seconds.as_secs());
    let before = cache_lookups(&http, &server.base).await?;
    let cached = api.at_rate(&repeated, rate, seconds, c).await;
    let after = cache_lookups(&http, &server.base).await?;
    println!("{:<22}{}", "", Summary::HEADER);
    println!("{:<22}{}", "API (HTTP, loopback)", cached.row(rate));
    println!("{:<22}cache hits {}", "", hit_share(before, after));

    let limits = Limits { p99_ms: 25.0, min_achieved: 0.95 };
    let step = Duration::from_secs(options.load.step_seconds);
    println!("\nhighest sustainable rate: p99 <= {} ms, no errors, >= 95% of the target achieved", limits.p99_ms);
    sweep(&[("API (HTTP, loopback)", &api), ("direct SQL", &sql)], &mut queries, &vocab, rate, step, c, limits).await?;
    server.stop().await
}

/// A pool on the bench database as the application role, as the server connects. Without
/// statement logging: an overloaded run would print a line per slow query.
pub(super) async fn pool(db: &TestDatabase, connections: u32) -> anyhow::Result<PgPool> {
    let config = PoolConfig { max_connections: connections, role: Some("ctxi_app".into()) };
    connect(db.admin.clone().disable_statement_logging(), &config).await.context("connecting as ctxi_app")
}

/// The documents were appended already indexed: move the ingestion worker past them, so it
/// does not run the pipeline again over work whose outcome is recorded (it would change
/// nothing, only burn CPU during the bench). Returns the head of the log.
pub(super) async fn skip_ingestion(admin: &PgPool) -> anyhow::Result<Position> {
    let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events").fetch_one(admin).await?;
    sqlx::query(
        "INSERT INTO projector_checkpoints (projector, position) VALUES ('ingestion', $1)
         ON CONFLICT (projector) DO UPDATE SET position = excluded.position, updated_at = now()",
    )
    .bind(head)
    .execute(admin)
    .await
    .context("moving the ingestion checkpoint")?;
    Ok(Position::from_raw(head))
}

/// Brings freshly filled tables to the state a running platform keeps them in before anything
/// is measured: statistics gathered (stale ones mislead the planner) and the bulk load's dirty
/// pages written out. Without the checkpoint, the one PostgreSQL starts on its own after the
/// load fsyncs hundreds of MB in the middle of a measurement (seen: one phase's p99 at 250+ ms
/// while the server log showed `checkpoint complete: ... sync=2.5 s`).
pub(super) async fn settle(admin: &PgPool, tables: &[&str]) -> anyhow::Result<()> {
    for table in tables {
        sqlx::query(&format!("VACUUM ANALYZE {table}")).execute(admin).await.context("vacuuming")?;
    }
    sqlx::query("CHECKPOINT").execute(admin).await.context("checkpointing")?;
    Ok(())
}

async fn describe(admin: &PgPool) -> anyhow::Result<()> {
    let (chunks, avg, table, index): (i64, f64, String, String) = sqlx::query_as(
        "SELECT count(*), avg(length(text))::float8, pg_size_pretty(pg_total_relation_size('chunks')),
                pg_size_pretty(pg_relation_size('chunks_search')) FROM chunks",
    )
    .fetch_one(admin)
    .await?;
    println!("read model: {chunks} chunks of {avg:.0} characters on average; chunks {table} in all, GIN index {index}");
    Ok(())
}

/// How many chunks the queries match: what full-text ranking has to score.
async fn matches(admin: &PgPool, project: Uuid, queries: &[String]) -> anyhow::Result<()> {
    let mut counts = Vec::with_capacity(queries.len());
    for q in queries {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM chunks WHERE project_id = $1 AND tsv @@ websearch_to_tsquery('english', $2)",
        )
        .bind(project)
        .bind(q)
        .fetch_one(admin)
        .await?;
        counts.push(n);
    }
    counts.sort_unstable();
    let at = |p: f64| counts.get(((counts.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0);
    let none = counts.iter().filter(|n| **n == 0).count();
    println!(
        "chunks matched per query ({} sample queries): p50 {}, p90 {}, p99 {}, max {}; {none} match nothing",
        counts.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

fn hit_share((hits0, misses0): (f64, f64), (hits, misses): (f64, f64)) -> String {
    let (h, m) = (hits - hits0, misses - misses0);
    format!("{:.0}% ({h:.0} hits, {m:.0} misses, from the server's /metrics)", 100.0 * h / (h + m).max(1.0))
}
