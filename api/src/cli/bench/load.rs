//! An open-loop load generator and the latency summary the HTTP benches print.
//!
//! Requests leave on a fixed timetable whatever the previous ones are doing, and each one's
//! latency is measured from the moment it was *scheduled*: when the server (or the client's
//! connection limit) makes requests queue, the queueing shows in the latency instead of
//! silently lowering the rate ("coordinated omission").

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::Semaphore;

/// How an HTTP bench loads the server: its main measurement and the sweep for the highest
/// sustainable rate.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LoadArgs {
    /// Requests per second of the main measurement, and the sweep's first step.
    #[arg(long, default_value_t = 200.0)]
    pub rate: f64,
    /// Seconds of the main measurement.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Seconds of each step of the sweep for the highest sustainable rate.
    #[arg(long, default_value_t = 10)]
    pub step_seconds: u64,
    /// Most requests in flight, like a client's connection pool; requests beyond it wait,
    /// and the wait counts in their latency.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
}

/// A request with no answer this long after its scheduled time counts as an error: an
/// overloaded target then ends a run about on time instead of draining a long queue.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// Dispatch lateness worth a note beside the figures.
const LATE: Duration = Duration::from_micros(500);

/// Latency percentiles and rates of one run.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub requests: usize,
    pub errors: usize,
    /// Successful requests per second, from the first scheduled start to the last answer.
    pub achieved: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// `latencies` of the successful requests; `elapsed` from the start to the last answer.
    pub fn new(mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        // Nearest rank: the smallest latency at least `p` of the requests did not exceed.
        let pct = |p: f64| -> f64 {
            let Some(last) = latencies.len().checked_sub(1) else {
                return f64::NAN;
            };
            let rank = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1).min(last);
            latencies[rank].as_secs_f64() * 1000.0
        };
        Self {
            requests: latencies.len() + errors,
            errors,
            achieved: latencies.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
            p50_ms: pct(0.50),
            p90_ms: pct(0.90),
            p99_ms: pct(0.99),
            max_ms: pct(1.0),
        }
    }

    pub const HEADER: &'static str = "   target/s  achieved/s  requests  errors   p50 ms   p90 ms   p99 ms   max ms";

    /// One row under [`Summary::HEADER`].
    pub fn row(&self, target: f64) -> String {
        format!(
            "{target:>11.0} {:>11.1} {:>9} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            self.achieved, self.requests, self.errors, self.p50_ms, self.p90_ms, self.p99_ms, self.max_ms
        )
    }
}

/// Sends `rate × duration` requests, request `i` at `start + i / rate`, with at most
/// `concurrency` in flight (a client's connection pool: beyond it requests wait, and the wait
/// counts). `request(i)` builds the `i`-th request; it runs on its own task.
pub async fn open_loop<F, Fut>(rate: f64, duration: Duration, concurrency: usize, request: F) -> Summary
where
    F: Fn(usize) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let total = (rate * duration.as_secs_f64()).round() as usize;
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let start = Instant::now() + Duration::from_millis(10);
    let runtime = Handle::current();
    // The timetable is kept by a thread of its own, asleep between requests: tokio's timer
    // rounds up to whole milliseconds, so requests left up to a millisecond late and, measured
    // from their scheduled time, carried the generator's lateness in their latency.
    let dispatch = tokio::task::spawn_blocking(move || {
        let mut tasks = Vec::with_capacity(total);
        let mut late = Vec::with_capacity(total);
        for i in 0..total {
            let scheduled = start + Duration::from_secs_f64(i as f64 / rate);
            if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            late.push(scheduled.elapsed());
            let (work, slots) = (request(i), slots.clone());
            tasks.push(runtime.spawn(async move {
                let outcome = tokio::time::timeout_at((scheduled + TIMEOUT).into(), async move {
                    let _slot = slots.acquire_owned().await;
                    work.await
                })
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {TIMEOUT:?} of its scheduled time")));
                (scheduled.elapsed(), Instant::now(), outcome)
            }));
        }
        (tasks, late)
    });
    let (tasks, late) = match dispatch.await {
        Ok(dispatched) => dispatched,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let mut latencies = Vec::with_capacity(total);
    let (mut errors, mut last) = (0, start);
    for task in tasks {
        match task.await {
            Ok((latency, finished, Ok(()))) => {
                latencies.push(latency);
                last = last.max(finished);
            }
            Ok((_, finished, Err(e))) => {
                last = last.max(finished);
                if errors == 0 {
                    eprintln!("first failed request: {e:#}");
                }
                errors += 1;
            }
            Err(_) => errors += 1,
        }
    }
    warn_if_late(late);
    Summary::new(latencies, errors, last.saturating_duration_since(start))
}

/// The generator's own lateness is in every latency it reports: say so when it was not
/// small beside the figures (a machine too busy to wake the dispatching thread on time).
fn warn_if_late(mut late: Vec<Duration>) {
    late.sort_unstable();
    let Some(p99) = late.get(late.len().saturating_sub(1) * 99 / 100) else { return };
    if *p99 > LATE {
        eprintln!(
            "note: the load generator sent 1% of requests more than {:.2} ms after their scheduled time \
             (included in the latencies)",
            p99.as_secs_f64() * 1000.0
        );
    }
}

/// Runs `requests` one after another: the latency of the work alone, with no queueing.
pub async fn sequential<F, Fut>(requests: usize, request: F) -> Summary
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    for i in 0..requests {
        let t = Instant::now();
        match request(i).await {
            Ok(()) => latencies.push(t.elapsed()),
            Err(e) => {
                if errors == 0 {
                    eprintln!("first failed request: {e:#}");
                }
                errors += 1;
            }
        }
    }
    Summary::new(latencies, errors, start.elapsed())
}
