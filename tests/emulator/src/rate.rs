//! The request-rate limit: a leaky bucket shared by all callers of the portal.

use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// Leaky-bucket state. Every admitted request adds one to `level`; once a
/// tick the level drops by `drain_per_sec` (not below zero). A request that
/// would lift the level above `threshold` is refused and does not count.
#[derive(Debug)]
pub(crate) struct LeakyBucket {
    limit: RateLimit,
    level: u64,
    last_tick: Instant,
}

impl LeakyBucket {
    pub(crate) fn new(limit: RateLimit) -> Self {
        LeakyBucket {
            limit,
            level: 0,
            last_tick: Instant::now(),
        }
    }

    fn drain(&mut self, now: Instant) {
        let tick = self.limit.tick.max(Duration::from_micros(1));
        let elapsed = now.saturating_duration_since(self.last_tick);
        let ticks = u64::try_from(elapsed.as_nanos() / tick.as_nanos()).unwrap_or(u64::MAX);
        if ticks > 0 {
            self.level = self
                .level
                .saturating_sub(ticks.saturating_mul(u64::from(self.limit.drain_per_sec)));
            self.last_tick += tick.saturating_mul(u32::try_from(ticks).unwrap_or(u32::MAX));
        }
    }

    /// Counts one request; `false` when it must be refused.
    pub(crate) fn admit(&mut self) -> bool {
        self.admit_at(Instant::now())
    }

    fn admit_at(&mut self, now: Instant) -> bool {
        self.drain(now);
        if self.level + 1 > u64::from(self.limit.threshold) {
            false
        } else {
            self.level += 1;
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_past_threshold_and_drains() {
        let mut b = LeakyBucket::new(RateLimit::new(3, 2));
        let t0 = b.last_tick;
        assert!(b.admit_at(t0));
        assert!(b.admit_at(t0));
        assert!(b.admit_at(t0));
        assert!(!b.admit_at(t0));
        let t1 = t0 + Duration::from_millis(1000);
        assert!(b.admit_at(t1));
        assert!(b.admit_at(t1));
        assert!(!b.admit_at(t1));
    }

    #[test]
    fn a_shorter_tick_drains_faster() {
        let mut b = LeakyBucket::new(RateLimit::new(2, 1).with_tick(Duration::from_millis(100)));
        let t0 = b.last_tick;
        assert!(b.admit_at(t0) && b.admit_at(t0) && !b.admit_at(t0));
        assert!(!b.admit_at(t0 + Duration::from_millis(99)));
        assert!(b.admit_at(t0 + Duration::from_millis(100)));
        // Two more ticks by 350 ms: the level is back to zero.
        let t = t0 + Duration::from_millis(350);
        assert!(b.admit_at(t) && b.admit_at(t) && !b.admit_at(t));
    }
}
