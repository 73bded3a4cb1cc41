//! What wakes a caught-up projector, and what tells it to stop.

use std::time::Duration;

use eventstore::postgres::NOTIFY_CHANNEL;
use eventstore::Position;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;

/// Shutdown as seen by one task: requested once `true` is sent or the sender is gone.
#[derive(Debug, Clone)]
pub(crate) struct Stop(watch::Receiver<bool>);

impl Stop {
    pub(crate) fn new(receiver: watch::Receiver<bool>) -> Self {
        Self(receiver)
    }

    pub(crate) fn is_requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once shutdown is requested.
    pub(crate) async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Sleeps for `duration`; false if shutdown was requested meanwhile.
    pub(crate) async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => !self.is_requested(),
            _ = self.requested() => false,
        }
    }
}

/// Reasons to look for new events: an append by this process, a NOTIFY from another one, or
/// the poll interval. Polling is not optional: readers hold back events while an older
/// transaction is still open, anywhere on the server, and its end is announced by nobody.
/// For the same reason a signal that found nothing is followed by quick re-polls (10 ms,
/// doubling up to the poll interval): the announced events are usually only held back briefly.
#[derive(Debug)]
pub(crate) struct Wake {
    local: Option<watch::Receiver<Position>>,
    remote: Option<watch::Receiver<u64>>,
    poll: Duration,
    next: Duration,
}

impl Wake {
    pub(crate) fn new(local: watch::Receiver<Position>, remote: watch::Receiver<u64>, poll: Duration) -> Self {
        Self { local: Some(local), remote: Some(remote), poll, next: poll }
    }

    /// Forgets past signals: call before reading, so that anything announced after the read
    /// wakes the next `wait`.
    pub(crate) fn mark_seen(&mut self) {
        if let Some(local) = &mut self.local {
            local.borrow_and_update();
        }
        if let Some(remote) = &mut self.remote {
            remote.borrow_and_update();
        }
    }

    /// Waits for a signal or the poll interval. A closed source is dropped, never spun on.
    pub(crate) async fn wait(&mut self) {
        const QUICK: Duration = Duration::from_millis(10);
        let Self { local, remote, next, .. } = self;
        let local_changed = async {
            match local {
                Some(rx) => rx.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        let remote_changed = async {
            match remote {
                Some(rx) => rx.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        let (signalled, closed) = tokio::select! {
            alive = local_changed => (alive, (!alive, false)),
            alive = remote_changed => (alive, (false, !alive)),
            _ = tokio::time::sleep(*next) => (false, (false, false)),
        };
        self.next = if signalled { QUICK.min(self.poll) } else { (self.next * 2).min(self.poll) };
        if closed.0 {
            self.local = None;
        }
        if closed.1 {
            self.remote = None;
        }
    }
}

/// Listens on the store's NOTIFY channel for the whole process and counts notifications into
/// `sender`; reconnects after failures. Lost notifications only cost latency: projectors poll.
/// A notification of a position this process already announced to its followers (`local`:
/// mostly its own appends, which come back through NOTIFY too) would only wake them again.
pub(crate) async fn listen(pool: PgPool, local: watch::Receiver<Position>, sender: watch::Sender<u64>) {
    loop {
        match subscribe(&pool).await {
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(notification) => {
                        let known = notification.payload().parse::<Position>().is_ok_and(|p| p <= *local.borrow());
                        if !known {
                            sender.send_modify(|n| *n = n.wrapping_add(1));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the event notification listener; polling meanwhile");
                        break;
                    }
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for event notifications; polling meanwhile")
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use eventstore::postgres::NOTIFY_CHANNEL;
    use eventstore::testing::TestDatabase;
    use eventstore::Position;
    use tokio::sync::watch;

    use super::listen;

    #[tokio::test]
    async fn notifications_of_positions_announced_here_wake_nobody_and_others_do() {
        let db = TestDatabase::create("listen_own_notifications").await;
        let (local_tx, local_rx) = watch::channel(Position::from_raw(100));
        let (sender, mut notified) = watch::channel(0_u64);
        let listener = tokio::spawn(listen(db.pool.clone(), local_rx, sender));
        let notify = |payload: &'static str| {
            sqlx::query("SELECT pg_notify($1, $2)").bind(NOTIFY_CHANNEL).bind(payload).execute(&db.pool)
        };
        // The listener subscribes asynchronously: notify until the first one is seen.
        tokio::time::timeout(Duration::from_secs(10), async {
            while !notified.has_changed().unwrap() {
                notify("101").await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("a position beyond what this process announced wakes the followers");
        tokio::time::sleep(Duration::from_millis(300)).await; // the last tries' notifications
        let before = *notified.borrow_and_update();

        local_tx.send(Position::from_raw(200)).unwrap();
        notify("150").await.unwrap();
        notify("200").await.unwrap();
        notify("201").await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), notified.changed()).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(*notified.borrow() - before, 1, "only 201 is news: 150 and 200 were announced here");
        listener.abort();
    }
}
