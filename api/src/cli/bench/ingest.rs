//! Ingestion throughput: ~5 KB Markdown documents with some PII, uploaded through the API by
//! concurrent clients, timed from the first upload until the last one is searchable.
//!
//! "Searchable" is the `documents` read model saying `indexed`: the documents projector writes
//! that status and the document's chunks in one transaction. The bench counts it with SQL on
//! the server's database rather than through the API, so watching costs the server nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use api_types::{UploadDocumentRequest, UploadedDocument};
use content::pii::AllowList;
use domain::{DocumentFormat, PiiPolicy};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use super::corpus::{self, Vocabulary};
use super::cpu::CpuMark;
use super::load::Summary;
use super::server::{answer, Server, Tenant};

const SEED: u64 = 0x001A_6E57;
/// Longest the bench waits for the last document after the last upload.
const PATIENCE: Duration = Duration::from_secs(1_800);
/// Retries of conflicting uploads, in all, before the bench gives up.
const MAX_CONFLICTS: usize = 100_000;

pub async fn run(db: &TestDatabase, documents: usize, concurrency: usize) -> anyhow::Result<()> {
    let vocab = Vocabulary::new(0);
    let corpus: Arc<Vec<(String, String)>> =
        Arc::new((0..documents).map(|i| corpus::document(&vocab, SEED, i as u64)).collect());
    let bytes: usize = corpus.iter().map(|(_, md)| md.len()).sum();
    println!("{documents} Markdown documents, {:.1} KB on average", bytes as f64 / documents.max(1) as f64 / 1e3);
    pipeline_alone(&corpus)?;

    let (_, kek) = KeyEncryptionKey::generate();
    let server = Server::start(db, &kek).await?;
    let http = reqwest::Client::new();
    let tenant = server.tenant(&http).await?;
    println!("\nthrough `ctxi serve` on {}, {concurrency} concurrent uploaders", server.base);

    let cpu = CpuMark::now(server.pid());
    let started = Instant::now();
    let watcher = tokio::spawn(searchable(db.pool.clone(), tenant.project_id, documents, started));
    let (next, conflicts) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let uploaders: Vec<_> = (0..concurrency)
        .map(|_| {
            let (base, tenant, corpus) = (server.base.clone(), tenant.clone(), corpus.clone());
            tokio::spawn(uploader(http.clone(), base, tenant, corpus, next.clone(), conflicts.clone()))
        })
        .collect();
    let mut latencies = Vec::with_capacity(documents);
    for task in uploaders {
        latencies.extend(task.await.context("an uploader panicked")??);
    }
    let uploaded = started.elapsed();
    let (searchable, failed) = watcher.await.context("the watcher panicked")??;
    let cpu = cpu.report(server.pid());

    let uploads = Summary::new(latencies, 0, uploaded);
    let per_minute = |d: Duration| documents as f64 * 60.0 / d.as_secs_f64();
    println!("upload alone:          {:>8.0} documents/min ({:.1} s)", per_minute(uploaded), uploaded.as_secs_f64());
    println!(
        "upload to searchable:  {:>8.0} documents/min ({:.1} s; {failed} failed)",
        per_minute(searchable),
        searchable.as_secs_f64()
    );
    println!(
        "upload latency:        p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (retries included)",
        uploads.p50_ms, uploads.p99_ms, uploads.max_ms
    );
    println!("409 conflicts retried: {}", conflicts.load(Ordering::Relaxed));
    println!("{cpu}");
    lag(&db.pool, tenant.project_id).await?;
    server.stop().await
}

/// The worker's CPU work without the server: extract, screen and chunk every document on one
/// thread. What ingestion could reach if nothing else cost anything, per core.
fn pipeline_alone(corpus: &[(String, String)]) -> anyhow::Result<()> {
    let allow = AllowList::new(std::iter::empty::<&str>());
    let started = Instant::now();
    let (mut chunks, mut pii) = (0, 0);
    for (_, md) in corpus {
        let ingested = content::ingest(DocumentFormat::Markdown, md.as_bytes(), PiiPolicy::Redact, &allow)?;
        chunks += ingested.chunks.len();
        pii += ingested.pii.values().sum::<u32>();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = corpus.len().max(1) as f64;
    println!(
        "pipeline alone (extract, PII, chunk; one thread): {:.0} documents/min, {:.2} ms each; \
         {:.1} chunks and {:.2} PII findings per document",
        n * 60.0 / elapsed,
        elapsed * 1000.0 / n,
        chunks as f64 / n,
        pii as f64 / n
    );
    Ok(())
}

/// Uploads documents until none are left; the latency of each, retries included. A 409
/// ("conflicted with concurrent changes; try again") is retried as the problem says, and
/// counted: uploads of one tenant all append to its quota stream, so they can collide.
async fn uploader(
    http: reqwest::Client,
    base: String,
    tenant: Tenant,
    corpus: Arc<Vec<(String, String)>>,
    next: Arc<AtomicUsize>,
    conflicts: Arc<AtomicUsize>,
) -> anyhow::Result<Vec<Duration>> {
    let url = format!("{base}/v1/projects/{}/documents", tenant.project_id);
    let mut latencies = Vec::new();
    while let Some((title, md)) = corpus.get(next.fetch_add(1, Ordering::Relaxed)) {
        let body = UploadDocumentRequest {
            title: title.clone(),
            content: md.clone(),
            content_type: Some("text/markdown".into()),
            metadata: None,
        };
        let t = Instant::now();
        loop {
            let response = http.post(&url).bearer_auth(&tenant.secret).json(&body).send().await?;
            if response.status() == StatusCode::CONFLICT && conflicts.fetch_add(1, Ordering::Relaxed) < MAX_CONFLICTS {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            let _: UploadedDocument = answer(response).await.context("uploading a document")?;
            break;
        }
        latencies.push(t.elapsed());
    }
    Ok(latencies)
}

/// Polls the read model until every document is indexed or failed; the time from `started`
/// and how many failed.
async fn searchable(
    pool: PgPool,
    project: Uuid,
    documents: usize,
    started: Instant,
) -> anyhow::Result<(Duration, i64)> {
    let mut reported = Instant::now();
    loop {
        let (indexed, failed): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE status = 'indexed'), count(*) FILTER (WHERE status = 'failed')
               FROM documents WHERE project_id = $1",
        )
        .bind(project)
        .fetch_one(&pool)
        .await
        .context("counting indexed documents")?;
        if (indexed + failed) as usize >= documents {
            return Ok((started.elapsed(), failed));
        }
        if started.elapsed() > PATIENCE {
            bail!("only {indexed} of {documents} documents were indexed after {PATIENCE:?}");
        }
        if reported.elapsed() > Duration::from_secs(10) {
            eprintln!("  {:>5.0} s: {indexed} indexed", started.elapsed().as_secs_f64());
            reported = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How long documents waited between upload and indexing, as the read model recorded it.
async fn lag(pool: &PgPool, project: Uuid) -> anyhow::Result<()> {
    let (p50, p99, max): (f64, f64, f64) = sqlx::query_as(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.99) WITHIN GROUP (ORDER BY s), max(s)
           FROM (SELECT extract(epoch FROM processed_at - uploaded_at)::float8 * 1000 AS s
                   FROM documents WHERE project_id = $1 AND processed_at IS NOT NULL) lags",
    )
    .bind(project)
    .fetch_one(pool)
    .await
    .context("reading indexing lag")?;
    println!("upload to indexed, per document (read model times): p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms");
    Ok(())
}
