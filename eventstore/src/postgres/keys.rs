//! The key vault: subjects' data keys, wrapped by the KEK.

use std::collections::{BTreeSet, HashMap};

use domain::SubjectId;
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use super::PostgresStore;
use crate::error::{AppendError, StoreError};
use crate::sealing::{DataKey, SealingError};

impl PostgresStore {
    /// Gets or creates the data key of every subject, inside the appending transaction.
    pub(super) async fn keys_for_writing(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        subjects: &BTreeSet<String>,
    ) -> Result<HashMap<String, DataKey>, AppendError> {
        let mut keys = HashMap::new();
        // A key committed by a racing transaction after this statement's snapshot is neither
        // inserted nor seen; the second pass, a new statement, sees it.
        for _ in 0..2 {
            let missing: Vec<&String> = subjects.iter().filter(|s| !keys.contains_key(*s)).collect();
            if missing.is_empty() {
                break;
            }
            let fresh: Vec<DataKey> = missing.iter().map(|_| DataKey::generate()).collect();
            let ids: Vec<Uuid> = fresh.iter().map(|k| k.id).collect();
            let wrapped: Vec<Vec<u8>> =
                missing.iter().zip(&fresh).map(|(s, k)| self.kek.wrap(s, k)).collect();
            let rows = sqlx::query(
                "WITH input AS (
                   SELECT * FROM unnest($1::text[], $2::uuid[], $3::bytea[]) AS i(subject, key_id, wrapped_key)),
                 created AS (
                   INSERT INTO subject_keys (subject, key_id, wrapped_key)
                   SELECT subject, key_id, wrapped_key FROM input
                   ON CONFLICT (subject) DO NOTHING
                   RETURNING subject, key_id, wrapped_key)
                 SELECT subject, key_id, wrapped_key FROM created
                 UNION ALL
                 SELECT k.subject, k.key_id, k.wrapped_key FROM subject_keys k JOIN input USING (subject)",
            )
            .bind(&missing)
            .bind(&ids)
            .bind(&wrapped)
            .fetch_all(&mut **tx)
            .await?;
            keys.extend(self.unwrap_rows(rows)?);
        }
        if let Some(s) = subjects.iter().find(|s| !keys.contains_key(*s)) {
            return Err(SealingError::MissingKey(s.clone()).into());
        }
        Ok(keys)
    }

    /// The data keys that still exist among `subjects`; shredded ones are simply absent.
    pub(super) async fn keys_for_reading(
        &self,
        subjects: &BTreeSet<String>,
    ) -> Result<HashMap<String, DataKey>, StoreError> {
        if subjects.is_empty() {
            return Ok(HashMap::new());
        }
        let subjects: Vec<&String> = subjects.iter().collect();
        let rows = sqlx::query("SELECT subject, key_id, wrapped_key FROM subject_keys WHERE subject = ANY($1)")
            .bind(&subjects)
            .fetch_all(&self.pool)
            .await?;
        self.unwrap_rows(rows)
    }

    fn unwrap_rows(&self, rows: Vec<sqlx::postgres::PgRow>) -> Result<HashMap<String, DataKey>, StoreError> {
        rows.into_iter()
            .map(|row| {
                let subject: String = row.try_get("subject")?;
                let key_id: Uuid = row.try_get("key_id")?;
                let wrapped: Vec<u8> = row.try_get("wrapped_key")?;
                let key = self.kek.unwrap(&subject, key_id, &wrapped)?;
                Ok((subject, key))
            })
            .collect()
    }

    pub(super) async fn delete_key(&self, subject: &SubjectId) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM subject_keys WHERE subject = $1")
            .bind(subject.as_str())
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }
}
