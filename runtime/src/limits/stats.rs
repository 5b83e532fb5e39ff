//! Counters of what the limits cost: refusals met and time spent waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a client met at the portal's limits since it was built (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitStats {
    /// Requests refused with `QUERY_LIMIT_EXCEEDED` (calls inside batches included).
    pub rate_refusals: u64,
    /// Calls refused with `OPERATION_TIME_LIMIT` (calls inside batches included).
    pub operating_refusals: u64,
    /// Times a request waited before being sent (bucket, budget or back-off).
    pub waits: u64,
    /// Total time spent in those waits.
    pub waited: Duration,
    /// Calls sent again after a transport error or HTTP 5xx.
    pub transient_repeats: u64,
}

impl LimitStats {
    /// All refusals, of both kinds.
    pub fn refusals(&self) -> u64 {
        self.rate_refusals + self.operating_refusals
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &LimitStats) -> LimitStats {
        LimitStats {
            rate_refusals: self.rate_refusals.saturating_sub(earlier.rate_refusals),
            operating_refusals: self
                .operating_refusals
                .saturating_sub(earlier.operating_refusals),
            waits: self.waits.saturating_sub(earlier.waits),
            waited: self.waited.saturating_sub(earlier.waited),
            transient_repeats: self
                .transient_repeats
                .saturating_sub(earlier.transient_repeats),
        }
    }
}

/// The live counters behind [`LimitStats`].
#[derive(Debug, Default)]
pub(crate) struct Stats {
    rate_refusals: AtomicU64,
    operating_refusals: AtomicU64,
    waits: AtomicU64,
    waited_us: AtomicU64,
    transient_repeats: AtomicU64,
}

impl Stats {
    pub(crate) fn rate_refusal(&self) {
        self.rate_refusals.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn operating_refusal(&self) {
        self.operating_refusals.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn transient_repeat(&self) {
        self.transient_repeats.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a wait (nothing when it is zero).
    pub(crate) fn waited(&self, d: Duration) {
        if !d.is_zero() {
            self.waits.fetch_add(1, Ordering::Relaxed);
            let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
            self.waited_us.fetch_add(us, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> LimitStats {
        LimitStats {
            rate_refusals: self.rate_refusals.load(Ordering::Relaxed),
            operating_refusals: self.operating_refusals.load(Ordering::Relaxed),
            waits: self.waits.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_us.load(Ordering::Relaxed)),
            transient_repeats: self.transient_repeats.load(Ordering::Relaxed),
        }
    }
}
