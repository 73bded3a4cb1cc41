//! Per-tool rate limits: a token bucket each, in process.
//!
//! An agent in a loop can call a tool far faster than a person would; the bucket lets a burst
//! of `per_minute` calls through and then one call every `60 / per_minute` seconds. The API's
//! own quotas still apply behind it; this limit stops a runaway agent before it spends them.
//! Time comes in as an argument, so tests drive the bucket without sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    /// Tokens added per second.
    rate: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Option<Instant>,
}

impl RateLimiter {
    /// A full bucket of `per_minute` tokens (at least one).
    pub fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from(per_minute.max(1));
        RateLimiter { capacity, rate: capacity / 60.0, state: Mutex::new(Bucket { tokens: capacity, last: None }) }
    }

    /// Takes a token at `now`, or says how long until one is available.
    pub fn try_acquire(&self, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another call panicked mid-update; the numbers are still usable.
        let mut bucket = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(last) = bucket.last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.capacity);
        }
        bucket.last = Some(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
    }
}

/// Whole seconds to wait, rounded up so that retrying after them succeeds.
pub fn wait_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    if wait.subsec_nanos() > 0 {
        whole + 1
    } else {
        whole.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_a_burst_through_then_refuses() {
        let limiter = RateLimiter::per_minute(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.try_acquire(t0), Ok(()));
        }
        let wait = limiter.try_acquire(t0).unwrap_err();
        assert_eq!(wait_seconds(wait), 20, "3 per minute refills one token every 20 s");
    }

    #[test]
    fn tokens_come_back_with_time() {
        let limiter = RateLimiter::per_minute(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            limiter.try_acquire(t0).unwrap();
        }
        assert!(limiter.try_acquire(t0 + Duration::from_millis(500)).is_err());
        assert_eq!(limiter.try_acquire(t0 + Duration::from_secs(1)), Ok(()));
        assert!(limiter.try_acquire(t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn an_idle_bucket_refills_only_to_its_capacity() {
        let limiter = RateLimiter::per_minute(2);
        let t0 = Instant::now();
        limiter.try_acquire(t0).unwrap();
        let later = t0 + Duration::from_secs(3600);
        assert_eq!(limiter.try_acquire(later), Ok(()));
        assert_eq!(limiter.try_acquire(later), Ok(()));
        assert!(limiter.try_acquire(later).is_err());
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(wait_seconds(Duration::from_millis(1)), 1);
        assert_eq!(wait_seconds(Duration::from_millis(19_001)), 20);
        assert_eq!(wait_seconds(Duration::from_secs(5)), 5);
    }
}
