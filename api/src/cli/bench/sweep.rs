//! The highest rate a target sustains: the rate doubles until a step misses the limits, then
//! one step halfway between the last pass and the first miss narrows it.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::corpus::{Queries, Vocabulary};
use super::load::Summary;
use super::target::Target;

/// Past this the machine, not the target, is what would be measured.
const MAX_RATE: f64 = 12_800.0;
/// Below this the search gives up looking for a passing rate.
const MIN_RATE: f64 = 25.0;
/// Quiet time between steps, so one step's backlog (metering, vacuum) does not bill the next:
/// at least this, then until the machine is quiet (at most [`MAX_SETTLE`]).
const PAUSE: Duration = Duration::from_secs(2);
/// Longest wait for the machine to be quiet before a step.
const MAX_SETTLE: Duration = Duration::from_secs(30);

/// What a step must meet to count as sustained.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub p99_ms: f64,
    /// Share of the target rate that must be achieved.
    pub min_achieved: f64,
}

impl Limits {
    /// Keeps up: no errors and the rate achieved, whatever the latency.
    fn kept_up(&self, s: &Summary, target: f64) -> bool {
        s.errors == 0 && s.achieved >= self.min_achieved * target
    }

    fn met(&self, s: &Summary, target: f64) -> bool {
        self.kept_up(s, target) && s.p99_ms <= self.p99_ms
    }
}

/// Sweeps each target in turn over the same queries per rate: distinct queries, never asked
/// before, so the API's cache misses every time.
pub async fn sweep(
    targets: &[(&str, &Target)],
    queries: &mut Queries,
    vocab: &Vocabulary,
    start: f64,
    step: Duration,
    concurrency: usize,
    limits: Limits,
) -> anyhow::Result<()> {
    let mut books: HashMap<u64, Arc<Vec<String>>> = HashMap::new();
    let mut book = |rate: f64| -> Arc<Vec<String>> {
        books
            .entry(rate as u64)
            .or_insert_with(|| Arc::new(queries.take(vocab, (rate * step.as_secs_f64()).round() as usize)))
            .clone()
    };
    for (name, target) in targets {
        println!("{name} ({}s per step)", step.as_secs());
        println!("{}  verdict", Summary::HEADER);
        let highest_kept_up = Cell::new(0.0f64);
        let kept = &highest_kept_up;
        let mut run = |rate: f64| {
            let queries = book(rate);
            async move {
                tokio::time::sleep(PAUSE).await;
                let settled = super::cpu::wait_for_quiet(MAX_SETTLE).await;
                if settled > Duration::from_secs(1) {
                    println!("(waited {:.1} s for the machine to be quiet)", settled.as_secs_f64());
                }
                let summary = target.at_rate(&queries, rate, step, concurrency).await;
                let (met, kept_up) = (limits.met(&summary, rate), limits.kept_up(&summary, rate));
                let verdict = match (met, kept_up) {
                    (true, _) => "sustained",
                    (false, true) => "kept up, p99 too high",
                    (false, false) => "fell behind",
                };
                println!("{}  {verdict}", summary.row(rate));
                if kept_up {
                    kept.set(kept.get().max(rate));
                }
                met
            }
        };
        let (mut passed, mut failed) = (None, None);
        let mut rate = start;
        while (MIN_RATE..=MAX_RATE).contains(&rate) {
            if run(rate).await {
                passed = Some(rate);
                if failed.is_some() {
                    break;
                }
                rate *= 2.0;
            } else {
                failed = Some(rate);
                if passed.is_some() {
                    break;
                }
                rate /= 2.0;
            }
        }
        if let (Some(pass), Some(fail)) = (passed, failed) {
            let middle = ((pass + fail) / 2.0).round();
            if pass < fail && run(middle).await {
                passed = Some(middle);
            }
        }
        match passed {
            Some(rate) => println!("=> {name}: highest sustained rate measured {rate:.0} requests/s"),
            None => println!("=> {name}: no rate down to {MIN_RATE} requests/s met the limits"),
        }
        println!(
            "=> {name}: highest rate kept up with (no errors, >= 95% achieved) {:.0} requests/s\n",
            highest_kept_up.get()
        );
    }
    Ok(())
}
