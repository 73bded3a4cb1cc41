//! The `documents` projector's batch, folded in memory, and the statements that write it.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::documents::ChunksByDocument;
use crate::ProjectionError;

/// What one batch does to the two tables.
#[derive(Default)]
pub(super) struct Folded {
    pub created: HashMap<Uuid, NewDocument>,
    /// Outcomes of documents uploaded in earlier batches.
    pub outcomes: HashMap<Uuid, Outcome>,
    pub chunks: ChunksByDocument,
    pub erased: Vec<Uuid>,
    /// Documents of earlier batches whose chunks changed, with the position of the change.
    pub touched: Vec<(Uuid, i64)>,
    /// Projects whose chunks changed through documents uploaded in this batch.
    pub bumps: Vec<(Uuid, i64)>,
    /// The project of every document uploaded in this batch.
    pub uploaded_in_batch: HashMap<Uuid, Uuid>,
    /// Each document's last change to its chunks: its project if uploaded in this batch, the
    /// position, whether it erased them.
    pub searchable: HashMap<Uuid, (Option<Uuid>, i64, bool)>,
}

pub(super) struct NewDocument {
    pub project_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub format: String,
    pub bytes: i64,
    pub pages: i32,
    pub metadata: Value,
    pub uploaded_at: OffsetDateTime,
    pub outcome: Option<Outcome>,
}

pub(super) struct Outcome {
    pub status: &'static str,
    pub chunk_count: i32,
    pub pii: Value,
    pub failure: Option<String>,
    pub at: OffsetDateTime,
}

/// Inserts new documents, bumps the versions of projects whose chunks change (while the
/// erased documents still name their project), deletes, updates, then adds chunks (which take
/// their project from `documents`).
pub(super) async fn write_batch(tx: &mut Transaction<'_, Postgres>, folded: Folded) -> Result<(), ProjectionError> {
    insert_documents(tx, folded.created).await?;
    bump_versions(tx, folded.touched, folded.bumps).await?;
    record_changes(tx, folded.searchable).await?;
    if !folded.erased.is_empty() {
        sqlx::query("DELETE FROM chunks WHERE document_id = ANY($1)").bind(&folded.erased).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM documents WHERE document_id = ANY($1)")
            .bind(&folded.erased)
            .execute(&mut **tx)
            .await?;
    }
    update_outcomes(tx, folded.outcomes).await?;
    insert_chunks(tx, folded.chunks).await
}

/// A register of the latest position, so an upsert that keeps the greater value: applying a
/// batch twice cannot happen (the checkpoint commits with it), and would change nothing anyway.
async fn bump_versions(
    tx: &mut Transaction<'_, Postgres>,
    touched: Vec<(Uuid, i64)>,
    bumps: Vec<(Uuid, i64)>,
) -> Result<(), ProjectionError> {
    if touched.is_empty() && bumps.is_empty() {
        return Ok(());
    }
    let (documents, document_positions): (Vec<Uuid>, Vec<i64>) = touched.into_iter().unzip();
    let (projects, project_positions): (Vec<Uuid>, Vec<i64>) = bumps.into_iter().unzip();
    sqlx::query(
        "INSERT INTO project_versions (project_id, version)
         SELECT project_id, max(position) FROM (
             SELECT d.project_id, t.position
               FROM unnest($1::uuid[], $2::int8[]) AS t(document_id, position)
               JOIN documents d USING (document_id)
             UNION ALL
             SELECT * FROM unnest($3::uuid[], $4::int8[])) AS changes(project_id, position)
          GROUP BY project_id
         ON CONFLICT (project_id) DO UPDATE SET version = GREATEST(project_versions.version, EXCLUDED.version)",
    )
    .bind(&documents)
    .bind(&document_positions)
    .bind(&projects)
    .bind(&project_positions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Before the erased documents' rows go: a document uploaded in an earlier batch takes its
/// project from there.
async fn record_changes(
    tx: &mut Transaction<'_, Postgres>,
    changes: HashMap<Uuid, (Option<Uuid>, i64, bool)>,
) -> Result<(), ProjectionError> {
    if changes.is_empty() {
        return Ok(());
    }
    let (mut documents, mut projects, mut positions, mut erased) = (vec![], vec![], vec![], vec![]);
    for (document, (project, position, erasure)) in changes {
        documents.push(document);
        projects.push(project);
        positions.push(position);
        erased.push(erasure);
    }
    sqlx::query(
        "INSERT INTO searchable_documents (document_id, project_id, changed_at, erased)
         SELECT c.document_id, COALESCE(c.project_id, d.project_id), c.position, c.erased
           FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::bool[]) AS c(document_id, project_id, position, erased)
           LEFT JOIN documents d USING (document_id)
          WHERE COALESCE(c.project_id, d.project_id) IS NOT NULL
         ON CONFLICT (document_id) DO UPDATE SET changed_at = EXCLUDED.changed_at, erased = EXCLUDED.erased
          WHERE searchable_documents.changed_at < EXCLUDED.changed_at",
    )
    .bind(&documents)
    .bind(&projects)
    .bind(&positions)
    .bind(&erased)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_documents(
    tx: &mut Transaction<'_, Postgres>,
    created: HashMap<Uuid, NewDocument>,
) -> Result<(), ProjectionError> {
    if created.is_empty() {
        return Ok(());
    }
    let mut c = Columns::default();
    for (id, d) in created {
        let outcome = d.outcome.unwrap_or(Outcome {
            status: "pending",
            chunk_count: 0,
            pii: Value::Object(Default::default()),
            failure: None,
            at: d.uploaded_at,
        });
        let processed = (outcome.status != "pending").then_some(outcome.at);
        c.ids.push(id);
        c.projects.push(d.project_id);
        c.tenants.push(d.tenant_id);
        c.titles.push(d.title);
        c.formats.push(d.format);
        c.bytes.push(d.bytes);
        c.pages.push(d.pages);
        c.metadata.push(d.metadata);
        c.statuses.push(outcome.status.to_owned());
        c.chunk_counts.push(outcome.chunk_count);
        c.pii.push(outcome.pii);
        c.failures.push(outcome.failure);
        c.uploaded.push(d.uploaded_at);
        c.processed.push(processed);
    }
    sqlx::query(
        "INSERT INTO documents (document_id, project_id, tenant_id, title, format, bytes, pages, metadata, status,
                                chunk_count, pii, failure, uploaded_at, processed_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int8[], $7::int4[],
                              $8::jsonb[], $9::text[], $10::int4[], $11::jsonb[], $12::text[], $13::timestamptz[],
                              $14::timestamptz[])",
    )
    .bind(&c.ids)
    .bind(&c.projects)
    .bind(&c.tenants)
    .bind(&c.titles)
    .bind(&c.formats)
    .bind(&c.bytes)
    .bind(&c.pages)
    .bind(&c.metadata)
    .bind(&c.statuses)
    .bind(&c.chunk_counts)
    .bind(&c.pii)
    .bind(&c.failures)
    .bind(&c.uploaded)
    .bind(&c.processed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Default)]
struct Columns {
    ids: Vec<Uuid>,
    projects: Vec<Uuid>,
    tenants: Vec<Uuid>,
    titles: Vec<String>,
    formats: Vec<String>,
    bytes: Vec<i64>,
    pages: Vec<i32>,
    metadata: Vec<Value>,
    statuses: Vec<String>,
    chunk_counts: Vec<i32>,
    pii: Vec<Value>,
    failures: Vec<Option<String>>,
    uploaded: Vec<OffsetDateTime>,
    processed: Vec<Option<OffsetDateTime>>,
}

async fn update_outcomes(
    tx: &mut Transaction<'_, Postgres>,
    outcomes: HashMap<Uuid, Outcome>,
) -> Result<(), ProjectionError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let (mut ids, mut statuses, mut counts, mut pii, mut failures, mut ats) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (id, o) in outcomes {
        ids.push(id);
        statuses.push(o.status.to_owned());
        counts.push(o.chunk_count);
        pii.push(o.pii);
        failures.push(o.failure);
        ats.push(o.at);
    }
    sqlx::query(
        "UPDATE documents d SET status = o.status, chunk_count = o.chunk_count, pii = o.pii, failure = o.failure,
                                processed_at = o.at
           FROM unnest($1::uuid[], $2::text[], $3::int4[], $4::jsonb[], $5::text[], $6::timestamptz[])
                AS o(document_id, status, chunk_count, pii, failure, at)
          WHERE d.document_id = o.document_id",
    )
    .bind(&ids)
    .bind(&statuses)
    .bind(&counts)
    .bind(&pii)
    .bind(&failures)
    .bind(&ats)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_chunks(tx: &mut Transaction<'_, Postgres>, chunks: ChunksByDocument) -> Result<(), ProjectionError> {
    let (mut ids, mut ordinals, mut texts) = (vec![], vec![], vec![]);
    for (id, document_chunks) in chunks {
        for (ordinal, text) in document_chunks.into_iter().enumerate() {
            ids.push(id);
            ordinals.push(i32::try_from(ordinal).unwrap_or(i32::MAX));
            texts.push(text);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO chunks (document_id, ordinal, project_id, text)
         SELECT c.document_id, c.ordinal, d.project_id, c.text
           FROM unnest($1::uuid[], $2::int4[], $3::text[]) AS c(document_id, ordinal, text)
           JOIN documents d USING (document_id)",
    )
    .bind(&ids)
    .bind(&ordinals)
    .bind(&texts)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
