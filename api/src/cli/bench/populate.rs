//! A large indexed corpus, written straight into the event store.
//!
//! Uploading 100k chunks' worth of documents through the API would make the retrieval bench
//! mostly an ingestion bench (that one exists). Instead each document's `DocumentUploaded` and
//! `DocumentIndexed` are appended here, in batches, with the chunks the real pipeline
//! (`content::ingest`) cuts from the same Markdown: the events, the sealing and the read model
//! are what uploads would have produced. The server's documents projector then builds the
//! read model from them as it would in production.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use content::pii::AllowList;
use domain::{
    DocumentEvent, DocumentFormat, DocumentId, DocumentTitle, Metadata, Personal, PiiPolicy, ProjectId, TenantId,
};
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, PostgresStore, StreamAppend, StreamId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::corpus::{self, Vocabulary};
use super::server::Tenant;

/// Documents per append: large enough that commits do not dominate, small enough that one
/// append stays well under a second.
const BATCH: usize = 50;
const SEED: u64 = 0x5EA2C4;

/// Documents and chunks written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    pub documents: usize,
    pub chunks: usize,
}

/// One append's worth of documents, built off the async threads.
struct Batch {
    request: AppendRequest,
    written: Written,
}

/// Appends indexed documents to `tenant`'s project until there are at least `chunks` chunks.
/// The next batch is generated while the previous one is appended.
pub async fn populate(store: Arc<PostgresStore>, tenant: &Tenant, chunks: usize) -> anyhow::Result<Written> {
    let vocab = Arc::new(Vocabulary::new(0));
    let started = Instant::now();
    let mut total = Written::default();
    let spawn = |number: usize| {
        let (vocab, tenant) = (vocab.clone(), tenant.clone());
        tokio::task::spawn_blocking(move || batch(&vocab, &tenant, number))
    };
    let mut next = spawn(0);
    let mut number = 0;
    while total.chunks < chunks {
        let batch = next.await.context("generating documents panicked")??;
        number += 1;
        next = spawn(number);
        store.append(batch.request).await.context("appending documents")?;
        total.documents += batch.written.documents;
        total.chunks += batch.written.chunks;
        if number % 40 == 0 {
            eprintln!("  {:>5.0} s: {} chunks", started.elapsed().as_secs_f64(), total.chunks);
        }
    }
    Ok(total)
}

fn batch(vocab: &Vocabulary, tenant: &Tenant, number: usize) -> anyhow::Result<Batch> {
    let allow = AllowList::new(std::iter::empty::<&str>());
    let at = OffsetDateTime::now_utc();
    let mut streams = Vec::with_capacity(BATCH);
    let mut written = Written::default();
    for i in number * BATCH..(number + 1) * BATCH {
        let (title, md) = corpus::document(vocab, SEED, i as u64);
        let ingested = content::ingest(DocumentFormat::Markdown, md.as_bytes(), PiiPolicy::Redact, &allow)?;
        let id = DocumentId::new(Uuid::now_v7());
        let subject = id.subject();
        let chunk_count = u32::try_from(ingested.chunks.len()).unwrap_or(u32::MAX);
        written.documents += 1;
        written.chunks += ingested.chunks.len();
        let uploaded = DocumentEvent::DocumentUploaded {
            document_id: id,
            project_id: ProjectId::new(tenant.project_id),
            tenant_id: TenantId::new(tenant.tenant_id),
            title: Personal::new(subject.clone(), DocumentTitle::parse(&title)?),
            format: DocumentFormat::Markdown,
            metadata: Personal::new(subject.clone(), Metadata::default()),
            bytes: md.len() as u64,
            content: Personal::new(subject.clone(), md),
            pages: ingested.pages,
            at,
        };
        let indexed = DocumentEvent::DocumentIndexed {
            chunks: Personal::new(subject, ingested.chunks),
            chunk_count,
            pages: ingested.pages,
            pii: ingested.pii,
            at,
        };
        streams.push(StreamAppend {
            stream: StreamId::new("document", id),
            expected: ExpectedVersion::NoStream,
            events: vec![NewEvent::from_domain(&uploaded)?, NewEvent::from_domain(&indexed)?],
        });
    }
    let request = AppendRequest {
        streams,
        metadata: EventMetadata::system("bench", Some(tenant.tenant_id), at),
        idempotency: None,
        result: serde_json::Value::Null,
    };
    Ok(Batch { request, written })
}
