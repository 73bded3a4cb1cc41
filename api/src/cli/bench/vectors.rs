//! Vector search over a large project: how long the index takes to build, how fast and how
//! exact it is in process, and retrieval with a query embedding through `ctxi serve` at an
//! open-loop rate, with the highest rate sustained.
//!
//! The documents come from [`populate`] (appended already indexed); their vectors are decided
//! by the domain's own screening and appended as `EmbeddingsAccepted`, then projected by the
//! server. Vectors are drawn around cluster centres, as embeddings of related texts are (on
//! uniform noise every point is about as far from a query as any other, and no index, exact
//! or not, means anything); a query is drawn the same way from a hash of its text.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use commands::{CommandContext, Commands, Secrets};
use domain::embedding::EmbeddingGuard;
use domain::{
    ChunkVector, Decide, DocumentId, EmbeddingsCommand, ProjectEmbeddings, ProjectId, ProjectSettings, TenantId,
};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::{
    Actor, AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, PostgresStore, StreamAppend, StreamId,
};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::corpus::{Queries, Rng, Vocabulary};
use super::cpu::{self, CpuMark};
use super::load::{LoadArgs, Summary};
use super::populate::populate;
use super::retrieve::{pool, settle, skip_ingestion};
use super::server::{Server, Tenant};
use super::sweep::{sweep, Limits};
use super::target::{Appends, Target};
use crate::config::DatabaseArgs;
use crate::retrieval::VectorIndex;

/// A word no generated chunk contains: the full-text half of a hybrid query finds nothing.
pub const NO_MATCH: &str = "zyzzogeton";
const SEED: u64 = 0x7EC7;
/// Cluster centres the vectors are drawn around.
const CENTRES: usize = 1_000;
/// How far a vector strays from its centre, as a share of the centre's length.
const SPREAD: f32 = 0.6;
/// Documents' vectors per append.
const BATCH: usize = 50;
/// Candidates hybrid retrieval asks of the vector index for the API's default top_k of 5.
const CANDIDATES: usize = 20;
/// Queries of the in-process measurements.
const IN_PROCESS: usize = 1_000;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Chunks with a vector (at least this many).
    #[arg(long, default_value_t = 100_000)]
    chunks: usize,
    /// Values per vector.
    #[arg(long, default_value_t = 384)]
    dimension: usize,
    #[command(flatten)]
    load: LoadArgs,
}

/// Draws vectors around fixed centres: documents' from a generator, queries' from their text.
#[derive(Debug)]
pub struct Embedder {
    centres: Vec<Vec<f32>>,
}

impl Embedder {
    fn new(dimension: usize) -> Self {
        let mut rng = Rng::new(SEED);
        let centres =
            (0..CENTRES).map(|_| unit((0..dimension).map(|_| rng.unit() as f32 * 2.0 - 1.0).collect())).collect();
        Self { centres }
    }

    /// A vector near one of the centres, of length 0.95 to 1.05 (like a real model's, whose
    /// norms vary a little: the query screening compares against their spread).
    fn draw(&self, rng: &mut Rng) -> Vec<f32> {
        let centre = &self.centres[rng.below(self.centres.len())];
        let scale = SPREAD * (3.0 / centre.len() as f32).sqrt();
        let v = unit(centre.iter().map(|c| c + scale * (rng.unit() as f32 * 2.0 - 1.0)).collect());
        let length = 0.95 + 0.1 * rng.unit() as f32;
        v.into_iter().map(|x| x * length).collect()
    }

    /// The query embedding of `text`: the same text, the same vector, of length 1.
    pub fn query(&self, text: &str) -> Vec<f32> {
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        unit(self.draw(&mut Rng::new(hasher.finish())))
    }
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    v.into_iter().map(|x| x / norm).collect()
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = super::scratch_database(&args.db, "bench_vectors").await?;
    let (kek, kek_text) = KeyEncryptionKey::generate();
    let server = Server::start(&db, &kek_text).await?;
    let http = reqwest::Client::new();
    let tenant = server.tenant(&http).await?;
    server.stop().await?;

    let store = Arc::new(PostgresStore::new(pool(&db, 4).await?, kek));
    declare_dimension(&store, &tenant, args.dimension).await?;
    let started = Instant::now();
    let written = populate(Arc::clone(&store), &tenant, args.chunks).await?;
    println!(
        "{} documents, {} chunks appended in {:.0} s",
        written.documents,
        written.chunks,
        started.elapsed().as_secs_f64()
    );
    let head = skip_ingestion(&db.pool).await?;
    let server = Server::start(&db, &kek_text).await?;
    projections::wait_for(&db.pool, "documents", head, Duration::from_secs(3_600)).await?;
    server.stop().await?;

    // With the server stopped, so that the vectors are projected after the ingestion worker has
    // been moved past them, and every projector has caught up before anything is measured: each
    // one reads the (large) embedding events, even those that ignore them.
    let embedder = Arc::new(Embedder::new(args.dimension));
    let started = Instant::now();
    embed(&store, &db.pool, &tenant, &embedder).await?;
    let head = skip_ingestion(&db.pool).await?;
    let server = Server::start(&db, &kek_text).await?;
    for projector in projections::all() {
        projections::wait_for(&db.pool, projector.name(), head, Duration::from_secs(3_600)).await?;
    }
    // Statistics of the freshly filled tables, as autovacuum would gather in time: stale ones
    // make the details query of hybrid retrieval walk the whole project per candidate.
    settle(&db.pool, &["chunks", "documents", "chunk_vectors"]).await?;
    println!(
        "{} vectors of {} values appended and projected in {:.0} s",
        written.chunks,
        args.dimension,
        started.elapsed().as_secs_f64()
    );

    let build = in_process(&pool(&db, 2).await?, tenant.project_id, &embedder).await?;
    through_api(&server, &http, &tenant, &embedder, &args, build).await?;
    server.stop().await
}

/// Index build, then latency and recall@10 of the graph against the exact scan, in process.
/// Returns the graph's build time.
async fn in_process(pool: &PgPool, project: Uuid, embedder: &Embedder) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let exact = VectorIndex::read_exact(pool, project).await?;
    let read = started.elapsed();
    let limit = crate::retrieval::VectorIndex::default_exact_max_work();
    let started = Instant::now();
    let graph = tokio::task::block_in_place(|| exact.clone().with_exact_max_work(limit).rebuilt());
    let build = started.elapsed();
    println!(
        "\nindex: {} vectors read from chunk_vectors in {:.1} s; graph (HNSW, M 16, ef_construction 100) built in {:.1} s on {} threads",
        exact.len(),
        read.as_secs_f64(),
        build.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    anyhow::ensure!(graph.approximate(), "the project is below the exact scan's limit ({limit} values)");

    let queries: Vec<Vec<f32>> = (0..IN_PROCESS).map(|i| embedder.query(&format!("in-process {i}"))).collect();
    let timed = |f: &dyn Fn(&[f32])| -> Summary {
        let started = Instant::now();
        let latencies = queries
            .iter()
            .map(|q| {
                let t = Instant::now();
                f(q);
                t.elapsed()
            })
            .collect();
        Summary::new(latencies, 0, started.elapsed())
    };
    let (exact_run, graph_run) = tokio::task::block_in_place(|| {
        let exact_run = timed(&|q| {
            exact.nearest(q, CANDIDATES);
        });
        let graph_run = timed(&|q| {
            graph.nearest(q, CANDIDATES);
        });
        (exact_run, graph_run)
    });
    let (mut found10, mut found20) = (0, 0);
    for q in &queries {
        let truth: Vec<_> = exact.nearest(q, CANDIDATES).into_iter().map(|(key, _)| key).collect();
        let got: Vec<_> = graph.nearest(q, CANDIDATES).into_iter().map(|(key, _)| key).collect();
        found10 += got.iter().take(10).filter(|key| truth[..10.min(truth.len())].contains(key)).count();
        found20 += got.iter().filter(|key| truth.contains(key)).count();
    }
    let values = (exact.len() * exact.dimension()) as f64;
    println!("{IN_PROCESS} queries one at a time, {CANDIDATES} nearest each (what hybrid retrieval asks for top_k 5)");
    println!("{:<22}{}", "", Summary::HEADER);
    println!("{:<22}{}", "exact scan", exact_run.row(f64::NAN));
    println!("{:<22}{}", "graph", graph_run.row(f64::NAN));
    println!(
        "exact scan: {:.3} ns per value (p50); the exact scan's limit is {limit} values per query",
        exact_run.p50_ms * 1e6 / values
    );
    println!(
        "graph recall against the exact scan: recall@10 {:.3}, recall@20 {:.3}",
        found10 as f64 / (IN_PROCESS * 10) as f64,
        found20 as f64 / (IN_PROCESS * CANDIDATES) as f64
    );
    Ok(build)
}

/// Vector graphs the server has built so far, from its `/metrics`.
async fn graphs_built(http: &reqwest::Client, base: &str) -> anyhow::Result<f64> {
    let text = http.get(format!("{base}/metrics")).send().await?.text().await?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with("vector_index_build_duration_seconds_count"))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum())
}

/// Retrieval with a query embedding through the API: vector half alone, then with words.
async fn through_api(
    server: &Server,
    http: &reqwest::Client,
    tenant: &Tenant,
    embedder: &Arc<Embedder>,
    args: &Args,
    build: Duration,
) -> anyhow::Result<()> {
    let target = |words: bool| Target::Hybrid {
        http: http.clone(),
        url: format!("{}/v1/projects/{}/retrieve", server.base, tenant.project_id),
        secret: tenant.secret.clone(),
        embedder: Arc::clone(embedder),
        words,
    };
    let (vectors_only, hybrid) = (target(false), target(true));
    // The first query loads the project and is answered by the exact scan; the graph is built
    // behind it, competing for the cores. Wait until the server reports it built.
    println!("\n{} before the first query", cpu::resident(server.pid()));
    let started = Instant::now();
    vectors_only.one_by_one(&["first".to_owned()]).await;
    println!("the server loaded the project's vectors in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    while graphs_built(http, &server.base).await? < 1.0 {
        anyhow::ensure!(
            started.elapsed() < build.mul_f64(5.0) + Duration::from_secs(60),
            "the server has not built its graph after {:.0} s",
            started.elapsed().as_secs_f64()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("the server built its graph {:.1} s later", started.elapsed().as_secs_f64());
    println!("{} with the graph built and the word index read", cpu::resident(server.pid()));

    let vocab = Vocabulary::new(10);
    let mut queries = Queries::new(SEED);
    let (rate, seconds, c) = (args.load.rate, Duration::from_secs(args.load.seconds), args.load.concurrency);
    vectors_only.at_rate(&Arc::new(queries.take(&vocab, (rate * 3.0) as usize)), rate, Duration::from_secs(3), c).await;
    println!("\n{rate:.0} requests/s for {}s, open loop, every query distinct, top_k 5", seconds.as_secs());
    println!("{:<30}{}", "", Summary::HEADER);
    for (name, target) in [("API, vectors only", &vectors_only), ("API, vectors + words", &hybrid)] {
        let fresh = Arc::new(queries.take(&vocab, (rate * seconds.as_secs_f64()).round() as usize));
        let appends = Appends::read(http, &server.base).await?;
        let cpu = CpuMark::now(server.pid());
        let summary = target.at_rate(&fresh, rate, seconds, c).await;
        println!("{name:<30}{}", summary.row(rate));
        println!("{:<30}{} (server)", "", cpu.report(server.pid()));
        println!("{:<30}{}", "", Appends::read(http, &server.base).await?.since(appends));
    }

    let limits = Limits { p99_ms: 25.0, min_achieved: 0.95 };
    let step = Duration::from_secs(args.load.step_seconds);
    println!("\nhighest sustainable rate: p99 <= {} ms, no errors, >= 95% of the target achieved", limits.p99_ms);
    let targets = [("API, vectors only", &vectors_only), ("API, vectors + words", &hybrid)];
    sweep(&targets, &mut queries, &vocab, rate, step, c, limits).await
}

/// Declares the project's embedding dimension, as its owner would in the settings.
async fn declare_dimension(store: &Arc<PostgresStore>, tenant: &Tenant, dimension: usize) -> anyhow::Result<()> {
    let commands = Commands::new(Arc::clone(store), Secrets::new([0; 32]));
    let ctx = CommandContext::new(Actor::System("bench".into()), OffsetDateTime::now_utc());
    let settings =
        ProjectSettings { embedding_dimension: Some(u32::try_from(dimension)?), ..ProjectSettings::default() };
    commands
        .configure_project(&ctx, TenantId::new(tenant.tenant_id), ProjectId::new(tenant.project_id), settings)
        .await
        .context("declaring the embedding dimension")?;
    Ok(())
}

/// A vector for every chunk of the project, screened by the domain and appended in batches.
async fn embed(
    store: &Arc<PostgresStore>,
    admin: &PgPool,
    tenant: &Tenant,
    embedder: &Arc<Embedder>,
) -> anyhow::Result<()> {
    let documents: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT document_id, count(*) FROM chunks WHERE project_id = $1 GROUP BY document_id ORDER BY document_id",
    )
    .bind(tenant.project_id)
    .fetch_all(admin)
    .await?;
    let project = ProjectId::new(tenant.project_id);
    let dimension = embedder.centres.first().map_or(0, Vec::len);
    let mut state = ProjectEmbeddings::default();
    let mut rng = Rng::new(SEED ^ 1);
    for (number, batch) in documents.chunks(BATCH).enumerate() {
        let at = OffsetDateTime::now_utc();
        let mut events = Vec::new();
        for (document, chunks) in batch {
            let vectors = (0..*chunks as u32).map(|chunk| ChunkVector { chunk, vector: embedder.draw(&mut rng) });
            let guard = EmbeddingGuard::new(u32::try_from(dimension)?);
            let command = EmbeddingsCommand::Submit {
                project_id: project,
                document_id: DocumentId::new(*document),
                vectors: vectors.collect(),
                guard,
                at,
            };
            for event in state.decide(command)? {
                events.push(NewEvent::from_domain(&event)?);
                state.apply(event);
            }
        }
        let request = AppendRequest {
            streams: vec![StreamAppend {
                stream: StreamId::new(ProjectEmbeddings::TYPE, project),
                expected: ExpectedVersion::Any,
                events,
            }],
            metadata: EventMetadata::system("bench", Some(tenant.tenant_id), at),
            idempotency: None,
            result: serde_json::Value::Null,
        };
        store.append(request).await.context("appending embeddings")?;
        if number % 40 == 39 {
            eprintln!("  {} documents' vectors appended", (number + 1) * BATCH);
        }
    }
    Ok(())
}
