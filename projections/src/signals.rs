//! What wakes a caught-up projector, and what tells it to stop.

use std::time::Duration;

use eventstore::postgres::NOTIFY_CHANNEL;
use eventstore::Position;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;

use crate::tail::Told;

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
    /// The newest position other processes announced (a notification that names none changes
    /// nothing but still wakes).
    remote: Option<watch::Receiver<Position>>,
    poll: Duration,
    next: Duration,
    /// The last wait ended by the timer (or none happened yet).
    polled: bool,
    /// Requests waiting for the read models (see [`crate::Frontier`]): they cut pauses short.
    hurried: Option<watch::Receiver<()>>,
}

impl Wake {
    pub(crate) fn new(
        local: watch::Receiver<Position>,
        remote: watch::Receiver<Position>,
        poll: Duration,
        hurried: Option<watch::Receiver<()>>,
    ) -> Self {
        Self { local: Some(local), remote: Some(remote), poll, next: poll, polled: true, hurried }
    }

    /// Rests for `duration` between batches, less if a request started waiting for the read
    /// models since the last rest; false if shutdown was requested meanwhile.
    pub(crate) async fn pause(&mut self, duration: Duration, stop: &mut Stop) -> bool {
        let hurried = async {
            let alive = match &mut self.hurried {
                Some(rx) => rx.changed().await.is_ok(),
                None => false,
            };
            if !alive {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(duration) => !stop.is_requested(),
            _ = hurried => !stop.is_requested(),
            _ = stop.requested() => false,
        }
    }

    /// Forgets past signals: call before reading, so that anything announced after the read
    /// wakes the next `wait`. Returns what the read must take into account.
    pub(crate) fn mark_seen(&mut self) -> Told {
        let local = self.local.as_mut().map_or(Position::START, |local| *local.borrow_and_update());
        let remote = self.remote.as_mut().map_or(Position::START, |remote| *remote.borrow_and_update());
        let polled = std::mem::replace(&mut self.polled, false);
        Told { announced: local.max(remote), polled }
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
        self.polled = !signalled;
        if closed.0 {
            self.local = None;
        }
        if closed.1 {
            self.remote = None;
        }
    }
}

/// Listens on the store's NOTIFY channel for the whole process and keeps the newest position
/// announced in `sender` (a payload that is no position wakes without changing it); reconnects
/// after failures. Lost notifications only cost latency: projectors poll.
/// A notification of a position this process already announced to its followers (`local`:
/// mostly its own appends, which come back through NOTIFY too) would only wake them again.
pub(crate) async fn listen(pool: PgPool, local: watch::Receiver<Position>, sender: watch::Sender<Position>) {
    loop {
        match subscribe(&pool).await {
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(notification) => match notification.payload().parse::<Position>() {
                        Ok(position) if position <= *local.borrow() => {}
                        Ok(position) => sender.send_modify(|newest| *newest = position.max(*newest)),
                        Err(_) => sender.send_modify(|_| {}),
                    },
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

    use super::{listen, Stop, Wake};

    #[tokio::test]
    async fn a_waiting_request_cuts_a_pause_short_once() {
        let (_local, local) = watch::channel(Position::START);
        let (_remote, remote) = watch::channel(Position::START);
        let (hurry, hurried) = watch::channel(());
        let (_stop, stop) = watch::channel(false);
        let mut stop = Stop::new(stop);
        let mut wake = Wake::new(local, remote, Duration::from_secs(1), Some(hurried));

        hurry.send_replace(());
        let cut = tokio::time::timeout(Duration::from_secs(10), wake.pause(Duration::from_secs(600), &mut stop)).await;
        assert_eq!(cut, Ok(true), "a hurry sent before the pause ends it at once");

        let started = std::time::Instant::now();
        assert!(wake.pause(Duration::from_millis(50), &mut stop).await);
        assert!(started.elapsed() >= Duration::from_millis(50), "the hurry was used up: this pause lasts");
    }

    #[tokio::test]
    async fn notifications_of_positions_announced_here_wake_nobody_and_others_do() {
        let db = TestDatabase::create("listen_own_notifications").await;
        let (local_tx, local_rx) = watch::channel(Position::from_raw(100));
        let (sender, mut notified) = watch::channel(Position::START);
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
        assert_eq!(*notified.borrow_and_update(), Position::from_raw(101));

        local_tx.send(Position::from_raw(200)).unwrap();
        notify("150").await.unwrap();
        notify("200").await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!notified.has_changed().unwrap(), "150 and 200 were announced here: no news");
        notify("201").await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), notified.changed()).await.unwrap().unwrap();
        assert_eq!(*notified.borrow_and_update(), Position::from_raw(201));

        notify("not a position").await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), notified.changed()).await.unwrap().unwrap();
        assert_eq!(*notified.borrow_and_update(), Position::from_raw(201), "it wakes, and names no position");
        listener.abort();
    }
}
