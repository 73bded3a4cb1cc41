//! The `embeddings` projector's batch, folded in memory, and the statements that write it.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::embeddings::Vectors;
use crate::ProjectionError;

#[derive(Default)]
pub(super) struct Folded {
    /// The latest vector per chunk in this batch (a later submission replaces an earlier one).
    pub vectors: Vectors,
    /// The project of every document embedded in this batch.
    pub projects: HashMap<Uuid, Uuid>,
    pub rejected: Vec<Rejected>,
    /// Documents erased in this batch, with the position of the erasure.
    pub erased: Vec<(Uuid, i64)>,
    /// Per project: the last position that changed its vectors, and its statistics then.
    pub versions: HashMap<Uuid, (i64, Option<Value>)>,
}

pub(super) struct Rejected {
    pub position: i64,
    pub project: Uuid,
    pub document: Uuid,
    pub chunk: i32,
    pub rejection: Value,
    pub at: OffsetDateTime,
}

impl Folded {
    pub fn version(&mut self, project: Uuid, position: i64, stats: Value) {
        self.versions.insert(project, (position, Some(stats)));
    }
}

/// Records embedded documents and vectors, then erasures (which find their project in
/// `vector_documents`, which keeps them with the position of their erasure), then rejections
/// and versions.
pub(super) async fn write_batch(tx: &mut Transaction<'_, Postgres>, folded: Folded) -> Result<(), ProjectionError> {
    if !folded.projects.is_empty() {
        let (documents, projects): (Vec<Uuid>, Vec<Uuid>) = folded.projects.into_iter().unzip();
        sqlx::query(
            "INSERT INTO vector_documents (document_id, project_id)
             SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING",
        )
        .bind(&documents)
        .bind(&projects)
        .execute(&mut **tx)
        .await?;
    }
    insert_vectors(tx, folded.vectors).await?;
    let mut versions = folded.versions;
    if !folded.erased.is_empty() {
        let (documents, positions): (Vec<Uuid>, Vec<i64>) = folded.erased.into_iter().unzip();
        let bumped: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT e.project_id, max(t.position)
               FROM unnest($1::uuid[], $2::int8[]) AS t(document_id, position)
               JOIN vector_documents e USING (document_id)
              WHERE e.erased_at IS NULL
              GROUP BY e.project_id",
        )
        .bind(&documents)
        .bind(&positions)
        .fetch_all(&mut **tx)
        .await?;
        for (project, position) in bumped {
            let entry = versions.entry(project).or_insert((position, None));
            entry.0 = entry.0.max(position);
        }
        sqlx::query(
            "UPDATE vector_documents v SET erased_at = t.position
               FROM unnest($1::uuid[], $2::int8[]) AS t(document_id, position)
              WHERE v.document_id = t.document_id AND v.erased_at IS NULL",
        )
        .bind(&documents)
        .bind(&positions)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM chunk_vectors WHERE document_id = ANY($1)")
            .bind(&documents)
            .execute(&mut **tx)
            .await?;
    }
    insert_rejections(tx, folded.rejected).await?;
    write_versions(tx, versions).await
}

/// Replaces the vectors of resubmitted chunks, with the position of the replacement. Vectors
/// of a document erased in an earlier batch are dropped: the store refuses to seal them after
/// the erasure now, but logs written before it did could hold some.
async fn insert_vectors(tx: &mut Transaction<'_, Postgres>, vectors: Vectors) -> Result<(), ProjectionError> {
    if vectors.is_empty() {
        return Ok(());
    }
    let (mut documents, mut ordinals, mut projects, mut positions, mut texts) =
        (vec![], vec![], vec![], vec![], vec![]);
    for ((document, ordinal), (project, position, vector)) in vectors {
        documents.push(document);
        ordinals.push(ordinal);
        projects.push(project);
        positions.push(position);
        // A real[] per row: arrays of arrays must be rectangular, so each goes as text.
        texts.push(format!("{{{}}}", vector.iter().map(f32::to_string).collect::<Vec<_>>().join(",")));
    }
    sqlx::query(
        "INSERT INTO chunk_vectors (document_id, ordinal, project_id, vector, position)
         SELECT d, o, p, v::real[], n
           FROM unnest($1::uuid[], $2::int4[], $3::uuid[], $4::text[], $5::int8[]) AS t(d, o, p, v, n)
          WHERE NOT EXISTS (SELECT 1 FROM vector_documents e WHERE e.document_id = d AND e.erased_at IS NOT NULL)
         ON CONFLICT (document_id, ordinal) DO UPDATE SET vector = EXCLUDED.vector, position = EXCLUDED.position",
    )
    .bind(&documents)
    .bind(&ordinals)
    .bind(&projects)
    .bind(&texts)
    .bind(&positions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_rejections(tx: &mut Transaction<'_, Postgres>, rejected: Vec<Rejected>) -> Result<(), ProjectionError> {
    if rejected.is_empty() {
        return Ok(());
    }
    let (mut positions, mut projects, mut documents, mut chunks, mut reasons, mut ats) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for r in rejected {
        positions.push(r.position);
        projects.push(r.project);
        documents.push(r.document);
        chunks.push(r.chunk);
        reasons.push(r.rejection);
        ats.push(r.at);
    }
    sqlx::query(
        "INSERT INTO embedding_rejections
         SELECT * FROM unnest($1::int8[], $2::uuid[], $3::uuid[], $4::int4[], $5::jsonb[], $6::timestamptz[])",
    )
    .bind(&positions)
    .bind(&projects)
    .bind(&documents)
    .bind(&chunks)
    .bind(&reasons)
    .bind(&ats)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Versions are registers of the latest position; statistics keep their last value when only
/// an erasure moved the version.
async fn write_versions(
    tx: &mut Transaction<'_, Postgres>,
    versions: HashMap<Uuid, (i64, Option<Value>)>,
) -> Result<(), ProjectionError> {
    if versions.is_empty() {
        return Ok(());
    }
    let (mut projects, mut positions, mut stats) = (vec![], vec![], vec![]);
    for (project, (position, s)) in versions {
        projects.push(project);
        positions.push(position);
        stats.push(s);
    }
    sqlx::query(
        "INSERT INTO embedding_versions (project_id, version, stats)
         SELECT p, v, coalesce(s, '{}'::jsonb) FROM unnest($1::uuid[], $2::int8[], $3::jsonb[]) AS t(p, v, s)
         ON CONFLICT (project_id) DO UPDATE
            SET version = GREATEST(embedding_versions.version, EXCLUDED.version),
                stats = CASE WHEN EXCLUDED.stats = '{}'::jsonb THEN embedding_versions.stats ELSE EXCLUDED.stats END",
    )
    .bind(&projects)
    .bind(&positions)
    .bind(&stats)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
