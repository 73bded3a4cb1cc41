//! Throughput and latency percentiles from per-operation samples.

use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub events_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `latencies` are per operation; each operation wrote `events_per_op` events in `elapsed`.
pub fn figures(mut latencies: Vec<Duration>, events_per_op: usize, elapsed: Duration) -> Figures {
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    Figures {
        events_per_sec: (latencies.len() * events_per_op) as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}
