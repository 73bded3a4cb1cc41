//! Reading a project's chunks' `tsvector`s from the `chunks` read model: all of them, or only
//! those of the documents changed after a version this instance holds.

use sqlx::PgPool;
use uuid::Uuid;

use super::parse::Tsvector;
use super::segment::Indexed;

/// A project's chunks as of `version`: those of the documents indexed after the version it
/// was read from (all when read from scratch), by document and ordinal, and the documents
/// erased after it.
#[derive(Debug, Default)]
pub struct Change {
    pub version: i64,
    pub chunks: Vec<Indexed>,
    pub erased: Vec<Uuid>,
}

const ALL_CHUNKS: &str = "
SELECT document_id, ordinal, tsv::text FROM chunks WHERE project_id = $1 ORDER BY document_id, ordinal";
const CHANGED: &str = "
SELECT document_id, erased FROM searchable_documents WHERE project_id = $1 AND changed_at > $2";
const CHUNKS_OF: &str = "
SELECT document_id, ordinal, tsv::text FROM chunks WHERE document_id = ANY($1) ORDER BY document_id, ordinal";

impl Change {
    /// What changed after `after`, or everything when `after` is `None`. One snapshot of the
    /// read model: the version and the chunks agree.
    pub async fn read(pool: &PgPool, project_id: Uuid, after: Option<i64>) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM project_versions WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (rows, erased) = match after {
            None => {
                let rows = sqlx::query_as(ALL_CHUNKS).bind(project_id).fetch_all(&mut *tx).await?;
                (rows, Vec::new())
            }
            Some(after) => {
                let changed: Vec<(Uuid, bool)> =
                    sqlx::query_as(CHANGED).bind(project_id).bind(after).fetch_all(&mut *tx).await?;
                let (erased, indexed): (Vec<_>, Vec<_>) = changed.into_iter().partition(|(_, erased)| *erased);
                let indexed: Vec<Uuid> = indexed.into_iter().map(|(document, _)| document).collect();
                let rows = sqlx::query_as(CHUNKS_OF).bind(&indexed).fetch_all(&mut *tx).await?;
                (rows, erased.into_iter().map(|(document, _)| document).collect())
            }
        };
        tx.commit().await?;
        let chunks = rows.into_iter().map(indexed).collect::<Result<_, _>>()?;
        Ok(Self { version: version.unwrap_or(0), chunks, erased })
    }
}

fn indexed((document, ordinal, tsv): (Uuid, i32, String)) -> Result<Indexed, sqlx::Error> {
    let tsvector = Tsvector::new(tsv)
        .ok_or_else(|| sqlx::Error::Protocol(format!("chunk {document}/{ordinal}: unreadable tsvector")))?;
    Ok(((document, ordinal), tsvector))
}
