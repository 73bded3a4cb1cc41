//! The key vault: subjects' data keys, wrapped by the KEK, and this process's cache of the
//! keys it seals with.
//!
//! The cache serves sealing only. Reads always fetch keys from the table, so a shredded key
//! stops opening data at once in every process; and `ctxi_append` refuses a payload sealed
//! with a cached key that no longer exists, so a cached key never writes after a shred.

use std::collections::{BTreeSet, HashMap};

use domain::SubjectId;
use sqlx::Row;
use uuid::Uuid;

use super::append::SealingKeys;
use super::PostgresStore;
use crate::error::StoreError;
use crate::sealing::DataKey;

/// Bound on cached keys; past it the cache starts over.
const CACHE_LIMIT: usize = 100_000;

impl PostgresStore {
    /// Keys for sealing `subjects`: cached ones, and fresh ones for subjects not cached.
    pub(super) fn sealing_keys(&self, subjects: &BTreeSet<String>) -> SealingKeys {
        let cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut sealing = SealingKeys::default();
        for subject in subjects {
            let key = match cache.get(subject) {
                Some(key) => key.clone(),
                None => {
                    let key = DataKey::generate();
                    sealing.fresh.insert(subject.clone(), self.kek.wrap(subject, &key));
                    key
                }
            };
            sealing.keys.insert(subject.clone(), key);
        }
        sealing
    }

    pub(super) fn remember(&self, keys: HashMap<String, DataKey>) {
        let mut cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() + keys.len() > CACHE_LIMIT {
            cache.clear();
        }
        cache.extend(keys);
    }

    pub(super) fn forget(&self, subject: &str) {
        self.key_cache.lock().unwrap_or_else(|p| p.into_inner()).remove(subject);
    }

    /// Caches the stored keys of `subjects` (those that have one).
    pub(super) async fn load_keys(&self, subjects: &BTreeSet<String>) -> Result<(), StoreError> {
        let keys = self.keys_for_reading(subjects).await?;
        let mut cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        for subject in subjects {
            match keys.get(subject) {
                Some(key) => cache.insert(subject.clone(), key.clone()),
                None => cache.remove(subject),
            };
        }
        Ok(())
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

    /// Destroys the subject's key and records the subject as shredded, under the lock that
    /// creating a key takes (migration 0003): the DELETE runs after any concurrent key insert
    /// has committed, so it cannot miss it, and any later insert finds the record.
    pub(super) async fn delete_key(&self, subject: &SubjectId) -> Result<bool, StoreError> {
        self.forget(subject.as_str());
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('ctxi.subject.' || $1, 0))")
            .bind(subject.as_str())
            .execute(&mut *tx)
            .await?;
        let deleted =
            sqlx::query("DELETE FROM subject_keys WHERE subject = $1").bind(subject.as_str()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO shredded_subjects (subject) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(subject.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(deleted.rows_affected() > 0)
    }
}
