//! Per-key queues inside one instance, for commands that all append to one hot stream.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

/// Lets commands on the same key take turns. Uploads of one tenant all append to its quota
/// stream at the version they read: racing, most of them conflict, decide again and may run out
/// of attempts. Taking turns within an instance makes them succeed first time; across
/// instances the stream version still decides.
#[derive(Debug)]
pub(crate) struct Turns<K> {
    keys: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<K> Default for Turns<K> {
    fn default() -> Self {
        Self { keys: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Clone> Turns<K> {
    /// Waits for `key`'s turn; the turn ends when the guard drops.
    pub async fn take(&self, key: &K) -> OwnedMutexGuard<()> {
        let lock = match self.keys.lock() {
            Ok(mut keys) => {
                // Forget keys nobody waits on, so the map stays as small as the active keys.
                keys.retain(|_, lock| Arc::strong_count(lock) > 1 || lock.try_lock().is_err());
                Arc::clone(keys.entry(key.clone()).or_default())
            }
            Err(_) => Arc::new(tokio::sync::Mutex::new(())),
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_same_key_waits_and_another_key_does_not() {
        let turns = Turns::<u8>::default();
        let first = turns.take(&1).await;
        assert!(tokio::time::timeout(std::time::Duration::from_millis(50), turns.take(&1)).await.is_err());
        let _other = turns.take(&2).await;
        drop(first);
        let _again = turns.take(&1).await;
    }
}
