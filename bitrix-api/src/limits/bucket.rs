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

    /// The highest count a client-side bucket that drains continuously at [`Self::per_second`]
    /// may reach and never be refused: `burst - (drain - 1) - per_second * jitter`, at least 1.
    ///
    /// Why: the portal's counter drops by `drain` in steps whose phase the client cannot see,
    /// and requests sent `jitter` apart may arrive together. A client that lets `c + r·w`
    /// requests go in any span of `w` seconds (`r` = [`Self::per_second`]) may see them
    /// delivered within `d = max(0, w - jitter)`, a span that holds as few as
    /// `floor(d / period)` steps; whole requests fit when
    /// `floor(c + r·w) <= burst + drain·floor(d / period)` for every `w`, that is when
    /// `c <= burst + 1 - drain - r·jitter`. The jitter share is kept as a fraction of a
    /// request, not rounded up. See BENCHMARKS.md, "Bulk work at the limits".
    pub fn ceiling(&self) -> f64 {
        let jitter = self.per_second() * self.jitter.as_secs_f64();
        let jitter = if jitter.is_finite() { jitter } else { 0.0 };
        let step = f64::from(self.drain.saturating_sub(1));
        (f64::from(self.burst) - step - jitter).max(1.0)
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

/// The level of a client-side leaky bucket: how many requests it counts (those reserved for
/// the future included) as of `at`, a time measured from any fixed origin (the bucket's
/// creation for [`LeakyBucket`], the Unix epoch for a bucket kept in a database). The same
/// arithmetic ([`RateLimit::reserve`], [`RateLimit::fill`]) serves every bucket, so a shared
/// one behaves exactly as the in-process one.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Level {
    /// Requests counted, as of `at`.
    pub count: f64,
    /// When the count was taken, from the bucket's time origin.
    pub at: Duration,
}

impl RateLimit {
    /// Counts one request at `now` on a bucket at `level`: the new level and how long the
    /// request waits (from `now`) before it may be sent. A `now` before `level.at` (clocks of
    /// two machines disagree) counts as `level.at`, so the level's time never goes back.
    pub fn reserve(&self, level: Level, now: Duration) -> (Level, Duration) {
        let rate = self.per_second();
        let cap = self.ceiling();
        let level = self.drained(level, now);
        let count = level.count + 1.0;
        // The part of the wait that comes from a level timed after `now`.
        let ahead = level.at.saturating_sub(now);
        let wait = if count <= cap || !rate.is_finite() || rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((count - cap) / rate)
        };
        (Level { count, ..level }, ahead + wait)
    }

    /// The level at `now` after the portal refused a request: the bucket counts itself full
    /// (requests already reserved keep their places).
    pub fn fill(&self, level: Level, now: Duration) -> Level {
        let level = self.drained(level, now);
        Level {
            count: level.count.max(self.ceiling()),
            ..level
        }
    }

    /// The level drained up to `now` (or up to `level.at` if that is later).
    fn drained(&self, level: Level, now: Duration) -> Level {
        let at = now.max(level.at);
        let drained = (at - level.at).as_secs_f64() * self.per_second();
        // `max` also turns a NaN (an infinite rate times no time) into an empty bucket.
        Level {
            count: (level.count - drained).max(0.0),
            at,
        }
    }
}

/// A client-side leaky bucket. It drains continuously and lets its count reach
/// [`RateLimit::ceiling`]: the portal's threshold less one drain step plus one request (the
/// portal drains in steps whose phase the client cannot see) and less the drain of
/// [`RateLimit::jitter`] (requests reach the portal in bunches).
/// [`RequestBucket::acquire`] reserves the next free slot under a lock and sleeps exactly
/// until it: no polling, and callers are served in the order they arrived.
#[derive(Debug)]
pub struct LeakyBucket {
    limit: RateLimit,
    /// The time origin of its levels.
    origin: Instant,
    state: Mutex<Level>,
}

impl LeakyBucket {
    /// An empty bucket for `limit`.
    pub fn new(limit: RateLimit) -> Self {
        LeakyBucket {
            limit,
            origin: Instant::now(),
            state: Mutex::new(Level::default()),
        }
    }

    /// The limit it mirrors.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Counts one request at `now` and returns how long to wait before sending it.
    fn reserve_at(&self, now: Instant) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (level, wait) = self
            .limit
            .reserve(*s, now.saturating_duration_since(self.origin));
        *s = level;
        wait
    }

    /// Treats the bucket as full at `now` (requests already reserved keep their places).
    fn refused_at(&self, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *s = self
            .limit
            .fill(*s, now.saturating_duration_since(self.origin));
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

    /// The send times (ns after the first) of `n` requests all asked for at once.
    fn schedule(limit: RateLimit, n: usize) -> Vec<u128> {
        let b = LeakyBucket::new(limit);
        let t0 = b.origin;
        (0..n).map(|_| b.reserve_at(t0).as_nanos()).collect()
    }

    /// Requests the portal's bucket as the docs describe it refuses: `drain` comes off the
    /// counter at `phase`, `phase + period`, … (a step at the same instant as an arrival comes
    /// first), and a request that finds the counter at `burst` is refused.
    fn portal_refusals(limit: RateLimit, arrivals: &[u128], phase: u128) -> usize {
        let period = limit.period.as_nanos();
        let mut sorted = arrivals.to_vec();
        sorted.sort_unstable();
        let (mut level, mut next_step, mut refused) = (0u64, phase, 0);
        for a in sorted {
            while next_step <= a {
                level = level.saturating_sub(u64::from(limit.drain));
                next_step += period;
            }
            if level < u64::from(limit.burst) {
                level += 1;
            } else {
                refused += 1;
            }
        }
        refused
    }

    /// The most refusals by the portal `portal` of `schedule(client, n)` over the step phases
    /// and over delivery delays of up to `portal.jitter` that squeeze the requests sent from
    /// each request on into the shortest span (delayed to that request's send time + jitter,
    /// later ones on time).
    fn worst_refusals(client: RateLimit, portal: RateLimit, n: usize) -> usize {
        let sends = schedule(client, n);
        let (period, jitter) = (portal.period.as_nanos(), portal.jitter.as_nanos());
        let mut worst = 0;
        for k in 0..n {
            let arrivals: Vec<u128> = sends
                .iter()
                .enumerate()
                .map(|(i, &s)| if i < k { s } else { s.max(sends[k] + jitter) })
                .collect();
            // The critical phases put a step just at or just after an arrival.
            let mut phases: Vec<u128> = arrivals
                .iter()
                .flat_map(|&a| [a % period, (a + 1) % period])
                .map(|p| if p == 0 { period } else { p })
                .collect();
            phases.sort_unstable();
            phases.dedup();
            for phase in phases {
                worst = worst.max(portal_refusals(portal, &arrivals, phase));
            }
        }
        worst
    }

    #[test]
    fn the_ceiling_is_never_refused_and_is_the_highest_such() {
        let limits = [
            RateLimit::standard(),
            RateLimit::enterprise(),
            RateLimit::standard().with_jitter(Duration::ZERO),
            RateLimit::standard()
                .with_period(Duration::from_millis(100))
                .with_jitter(Duration::from_millis(200)),
        ];
        for limit in limits {
            let n = limit.burst as usize + 6 * limit.drain as usize;
            assert_eq!(worst_refusals(limit, limit, n), 0, "{limit:?}");
            // A client that allows for 40 ms less jitter than there is, or (without jitter)
            // one more request, may be refused.
            let bolder = if limit.jitter.is_zero() {
                RateLimit {
                    burst: limit.burst + 1,
                    ..limit
                }
            } else {
                limit.with_jitter(limit.jitter - Duration::from_millis(40))
            };
            assert!(worst_refusals(bolder, limit, n) > 0, "{bolder:?}");
        }
    }

    #[test]
    fn the_jitter_reserve_is_a_fraction_of_a_request() {
        let half = Duration::from_millis(500);
        assert_eq!(
            RateLimit::standard().ceiling(),
            48.0,
            "50 - (2 - 1) - 2 x 0.5"
        );
        assert_eq!(
            RateLimit::enterprise().ceiling(),
            243.5,
            "250 - 4 - 5 x 0.5"
        );
        let scaled = RateLimit::standard()
            .with_period(Duration::from_millis(100))
            .with_jitter(Duration::from_millis(230));
        assert!((scaled.ceiling() - 44.4).abs() < 1e-9, "50 - 1 - 20 x 0.23");
        assert_eq!(RateLimit::new(3, 2).with_jitter(half).ceiling(), 1.0);
    }

    #[test]
    fn a_burst_then_the_drain_rate() {
        let b = LeakyBucket::new(RateLimit::new(5, 2).with_jitter(Duration::ZERO));
        let t0 = b.origin;
        // Ceiling 5 - (2 - 1) = 4: four go at once, then one every half second.
        for _ in 0..4 {
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
        assert_eq!(b.limit.ceiling(), 48.0);
        let t0 = b.origin;
        assert_eq!(b.reserve_at(t0), Duration::ZERO);
        b.refused_at(t0);
        assert_eq!(b.reserve_at(t0).as_millis(), 500);
    }

    #[test]
    fn a_level_timed_later_than_now_keeps_its_time_and_adds_the_difference() {
        let l = RateLimit::new(5, 2).with_jitter(Duration::ZERO);
        let at = Duration::from_secs(100);
        // At the ceiling (5 - (2 - 1) = 4).
        let full = Level { count: 4.0, at };
        // Another machine's clock is 200 ms ahead: no drain, and the wait counts from `now`.
        let (next, wait) = l.reserve(full, at - Duration::from_millis(200));
        assert_eq!(next, Level { count: 5.0, at });
        assert_eq!(wait.as_millis(), 700);
        assert_eq!(l.fill(Level { count: 0.0, at }, Duration::ZERO).at, at);
    }

    #[test]
    fn a_scaled_period_scales_the_rate() {
        let l = RateLimit::new(50, 2).with_period(Duration::from_millis(100));
        assert!((l.per_second() - 20.0).abs() < 1e-9);
        assert_eq!(RateLimit::enterprise(), RateLimit::new(250, 5));
    }
}
