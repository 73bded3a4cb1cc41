//! What read-your-writes costs a write, and whether a client sees its own writes: latency of
//! creating projects and uploading documents one after another, then write-then-read sequences
//! from concurrent clients, none sending a consistency header, with the reads that missed.
//!
//! `--server PATH` runs another build of `ctxi` as the server, so a build from before a change
//! is measured by the same client as the build after it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use api_types::{CreateProjectRequest, DocumentList, UploadDocumentRequest, UploadedDocument, Written};
use eventstore::sealing::KeyEncryptionKey;
use eventstore::testing::TestDatabase;
use reqwest::StatusCode;
use tokio::sync::Mutex;

use super::load::Summary;
use super::server::{answer, Dashboard, Server};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: crate::config::DatabaseArgs,
    /// Projects created, and then documents uploaded, one after another.
    #[arg(long, default_value_t = 500)]
    pub writes: usize,
    /// Seconds of write-then-read sequences.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients running sequences, each with its own session.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Another `ctxi` binary to run as the server (default: this one).
    #[arg(long)]
    pub server: Option<PathBuf>,
}

/// Reads that did not show the write before them, by kind.
#[derive(Debug, Default)]
struct Misses {
    list: usize,
    get: usize,
    upload: usize,
    documents: usize,
}

pub async fn run(db: &TestDatabase, args: &Args) -> anyhow::Result<()> {
    let (_, kek) = KeyEncryptionKey::generate();
    let server = match &args.server {
        Some(exe) => Server::start_exe(exe, db, &kek).await?,
        None => Server::start(db, &kek).await?,
    };
    let http = reqwest::Client::new();
    let (_, owner) = server.owner(&http, "owner@bench.example.com").await?;
    println!("through `ctxi serve` on {}, no consistency header", server.base);

    let mut creates = Vec::with_capacity(args.writes);
    let started = Instant::now();
    for i in 0..args.writes {
        let sent = Instant::now();
        let _: Written = owner.post("/v1/projects", &CreateProjectRequest { name: format!("Project {i}") }).await?;
        creates.push(sent.elapsed());
    }
    report("POST /v1/projects", Summary::new(creates, 0, started.elapsed()));

    let project: Written = owner.post("/v1/projects", &CreateProjectRequest { name: "Uploads".into() }).await?;
    // A build without read-your-writes refuses uploads to a project its read model lacks yet.
    while owner.get(&format!("/v1/projects/{}", project.id)).await?.status() != StatusCode::OK {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut uploads = Vec::with_capacity(args.writes);
    let started = Instant::now();
    for i in 0..args.writes {
        let sent = Instant::now();
        let _: UploadedDocument = owner.post(&format!("/v1/projects/{}/documents", project.id), &note(i)).await?;
        uploads.push(sent.elapsed());
    }
    report("POST .../documents", Summary::new(uploads, 0, started.elapsed()));

    let misses = Arc::new(Mutex::new(Misses::default()));
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let mut clients = Vec::new();
    for client in 0..args.clients.max(1) {
        let (_, owner) = server.owner(&http, &format!("client{client}@bench.example.com")).await?;
        let misses = misses.clone();
        clients.push(async move { sequences(&owner, until, &misses).await });
    }
    let started = Instant::now();
    let done: usize = futures::future::try_join_all(clients).await?.into_iter().sum();
    let elapsed = started.elapsed();
    let misses = misses.lock().await;
    println!(
        "write-then-read sequences: {done} in {:.1} s, {:.1}/s from {} clients (create a project, get it, list \
         projects, upload to it, list its documents)",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64(),
        args.clients.max(1)
    );
    println!(
        "misses: get {} , list {}, upload {}, documents {} (of {done} each)",
        misses.get, misses.list, misses.upload, misses.documents
    );
    server.stop().await
}

/// Runs sequences until `until`; returns how many ran.
async fn sequences(owner: &Dashboard<'_>, until: Instant, misses: &Mutex<Misses>) -> anyhow::Result<usize> {
    let mut done = 0;
    while Instant::now() < until {
        let project: Written =
            owner.post("/v1/projects", &CreateProjectRequest { name: format!("Sequence {done}") }).await?;
        let got = owner.get(&format!("/v1/projects/{}", project.id)).await?.status();
        let listed = owner.get("/v1/projects").await?.text().await?.contains(&project.id.to_string());
        let uploaded = owner.send_post(&format!("/v1/projects/{}/documents", project.id), &note(done)).await?;
        let mut missed = Misses {
            get: usize::from(got != StatusCode::OK),
            list: usize::from(!listed),
            upload: usize::from(uploaded.status() != StatusCode::ACCEPTED),
            documents: 0,
        };
        if missed.upload == 0 {
            let document: UploadedDocument = answer(uploaded).await.context("uploading")?;
            let path = format!("/v1/projects/{}/documents", project.id);
            let list: DocumentList = answer(owner.get(&path).await?).await.context("listing documents")?;
            missed.documents = usize::from(!list.documents.iter().any(|d| d.id == document.document.id));
        }
        let mut all = misses.lock().await;
        all.get += missed.get;
        all.list += missed.list;
        all.upload += missed.upload;
        all.documents += missed.documents;
        done += 1;
    }
    Ok(done)
}

fn note(i: usize) -> UploadDocumentRequest {
    UploadDocumentRequest {
        title: format!("Note {i}"),
        content: format!("Refunds are paid back to the original card within five business days. Note {i}."),
        content_type: Some("text/plain".into()),
        metadata: None,
    }
}

fn report(what: &str, figures: Summary) {
    println!(
        "{what:<20} {} one after another: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        figures.requests, figures.p50_ms, figures.p99_ms, figures.max_ms
    );
}
