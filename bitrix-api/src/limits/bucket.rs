//! The request-rate gate: a leaky bucket mirroring the portal's.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The future returned by [`RequestBucket::acquire`]: it resolves with how long it waited.
pub type Wait<'a> = Pin<Box<dyn Future<Output = Duration> + Send + 'a>>;

/// A gate every HTTP request passes before it is sent. One gate is shared (through an `Arc`)
/// by all clones of a client and by its batches; implement it to share a budget between
/// processes, e.g. in a database.
pub trait RequestBucket: Send + Sync + fmt::Debug {
    /// Waits until one more request can be sent without being refused, counts it and
    /// returns how long it waited.
    fn acquire(&self) -> Wait<'_>;
    /// The portal refused a request with `QUERY_LIMIT_EXCEEDED`: its counter is full (another
    /// program may be using the same portal), so the gate should consider itself full too.
    fn refused(&self);
}

/// The parameters of the portal's leaky bucket: every request adds one to a counter, the
/// counter drops by `drain` every `period`, and a request that finds it at `burst` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The counter value at which requests are refused (the docs' `X`).
    pub burst: u32,
    /// How much the counter drops each `period` (the docs' `Y`).
    pub drain: u32,
    /// How often the counter drops (one second on a portal; shorter against a scaled emulator).
    pub period: Duration,
    /// How far apart in time requests sent in order may reach the portal (network and
    /// scheduling jitter; default 500 ms): the bucket keeps that much drain in reserve, since
    /// a request sent earlier but delivered later lands together with later ones.
    pub jitter: Duration,
}

impl RateLimit {
    /// `burst` requests, draining `drain` a second.
    pub const fn new(burst: u32, drain: u32) -> Self {
        RateLimit {
            burst,
            drain,
            period: Duration::from_secs(1),
            jitter: Duration::from_millis(500),
        }
    }

    /// Most plans: 50 requests, draining 2 a second.
    pub const fn standard() -> Self {
        Self::new(50, 2)
    }

    /// Enterprise plans: 250 requests, draining 5 a second.
    pub const fn enterprise() -> Self {
        Self::new(250, 5)
    }

    /// The same limit with the counter dropping every `period` instead of every second.
    pub const fn with_period(mut self, period: Duration) -> Self {
        self.period = period;
        self
    }

    /// The same limit allowing for `jitter` between sending and delivery.
    pub const fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Requests per second it sustains.
    pub fn per_second(&self) -> f64 {
        let secs = self.period.as_secs_f64();
        if secs > 0.0 {
            f64::from(self.drain) / secs
        } else {
            f64::INFINITY
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::standard()
    }
}

/// A client-side leaky bucket. It drains continuously and stays below the portal's threshold by
/// one period's drain (the portal drains in steps whose phase the client cannot see) plus the
/// drain of [`RateLimit::jitter`] (requests reach the portal in bunches).
/// [`RequestBucket::acquire`] reserves the next free slot under a lock and sleeps exactly
/// until it: no polling, and callers are served in the order they arrived.
#[derive(Debug)]
pub struct LeakyBucket {
    limit: RateLimit,
    state: Mutex<Level>,
}

#[derive(Debug, Clone, Copy)]
struct Level {
    /// Requests counted (including those reserved for the future), as of `at`.
    count: f64,
    at: Instant,
}

impl LeakyBucket {
    /// An empty bucket for `limit`.
    pub fn new(limit: RateLimit) -> Self {
        LeakyBucket {
            limit,
            state: Mutex::new(Level {
                count: 0.0,
                at: Instant::now(),
            }),
        }
    }

    /// The limit it mirrors.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// The most requests it lets the count reach.
    fn capacity(&self) -> f64 {
        let l = &self.limit;
        let jitter = (l.per_second() * l.jitter.as_secs_f64()).ceil();
        let reserve = f64::from(l.drain) + if jitter.is_finite() { jitter } else { 0.0 };
        (f64::from(l.burst) - reserve).max(1.0)
    }

    /// Counts one request at `now` and returns how long to wait before sending it.
    fn reserve_at(&self, now: Instant) -> Duration {
        let rate = self.limit.per_second();
        let cap = self.capacity();
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let drained = now.saturating_duration_since(s.at).as_secs_f64() * rate;
        let count = (s.count - drained).max(0.0) + 1.0;
        *s = Level { count, at: now };
        if count <= cap || !rate.is_finite() || rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((count - cap) / rate)
        }
    }

    /// Treats the bucket as full at `now` (requests already reserved keep their places).
    fn refused_at(&self, now: Instant) {
        let rate = self.limit.per_second();
        let cap = self.capacity();
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let drained = now.saturating_duration_since(s.at).as_secs_f64() * rate;
        let count = (s.count - drained).max(0.0).max(cap);
        *s = Level { count, at: now };
    }
}

impl RequestBucket for LeakyBucket {
    fn acquire(&self) -> Wait<'_> {
        let wait = self.reserve_at(Instant::now());
        Box::pin(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            wait
        })
    }

    fn refused(&self) {
        self.refused_at(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_drain_rate() {
        let b = LeakyBucket::new(RateLimit::new(5, 2).with_jitter(Duration::ZERO));
        let t0 = b.state.lock().unwrap().at;
        // Capacity 5 - 2 = 3: three go at once, then one every half second.
        for _ in 0..3 {
            assert_eq!(b.reserve_at(t0), Duration::ZERO);
        }
        let w: Vec<u128> = (0..3).map(|_| b.reserve_at(t0).as_millis()).collect();
        assert_eq!(w, vec![500, 1000, 1500]);
        // After everything drained, a burst is allowed again.
        assert_eq!(b.reserve_at(t0 + Duration::from_secs(10)), Duration::ZERO);
    }

    #[test]
    fn a_refusal_fills_the_bucket() {
        let b = LeakyBucket::new(RateLimit::new(50, 2));
        assert_eq!(
            b.capacity(),
            47.0,
            "50 - 2 (one drain step) - 1 (500 ms of jitter)"
        );
        let t0 = b.state.lock().unwrap().at;
        assert_eq!(b.reserve_at(t0), Duration::ZERO);
        b.refused_at(t0);
        assert_eq!(b.reserve_at(t0).as_millis(), 500);
    }

    #[test]
    fn a_scaled_period_scales_the_rate() {
        let l = RateLimit::new(50, 2).with_period(Duration::from_millis(100));
        assert!((l.per_second() - 20.0).abs() < 1e-9);
        assert_eq!(RateLimit::enterprise(), RateLimit::new(250, 5));
    }
}
