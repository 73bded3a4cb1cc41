//! Reading a project's vectors from the `embeddings` read model: all of them, or only what
//! changed after a version this instance holds.

use sqlx::PgPool;
use uuid::Uuid;

use super::ChunkKey;

/// A project's vectors as of `version`: the rows written after the version it was read from
/// (all rows when read from scratch), and the documents erased after it.
#[derive(Debug, Default)]
pub struct Change {
    pub version: i64,
    pub rows: Vec<(ChunkKey, Vec<f32>)>,
    pub erased: Vec<Uuid>,
}

impl Change {
    /// What changed after `after`, or everything when `after` is `None`. One snapshot of the
    /// read model: the version and the rows agree.
    pub async fn read(pool: &PgPool, project_id: Uuid, after: Option<i64>) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM embedding_versions WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(&mut *tx)
            .await?;
        let since = after.unwrap_or(i64::MIN);
        let rows: Vec<(Uuid, i32, Vec<f32>)> = sqlx::query_as(
            "SELECT document_id, ordinal, vector FROM chunk_vectors WHERE project_id = $1 AND position > $2",
        )
        .bind(project_id)
        .bind(since)
        .fetch_all(&mut *tx)
        .await?;
        // From scratch, erased documents have no rows left to hide.
        let erased: Vec<Uuid> = match after {
            Some(after) => {
                sqlx::query_scalar("SELECT document_id FROM vector_documents WHERE project_id = $1 AND erased_at > $2")
                    .bind(project_id)
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await?
            }
            None => Vec::new(),
        };
        tx.commit().await?;
        Ok(Self {
            version: version.unwrap_or(0),
            rows: rows.into_iter().map(|(document, ordinal, vector)| ((document, ordinal), vector)).collect(),
            erased,
        })
    }
}
