//! The request-rate gate: a leaky bucket mirroring the portal's.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::schedule::{Schedule, HISTORY_CAP};

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
    /// Like [`acquire`](Self::acquire) for a request that asked at `asked` (a moment just
    /// passed): the gate lets it go at `asked` plus the wait the future resolves with, which
    /// names the request in [`answered`](Self::answered). [`crate::Client`] calls this one.
    /// The default calls `acquire`.
    fn acquire_at(&self, asked: Instant) -> Wait<'_> {
        let _ = asked;
        self.acquire()
    }
    /// The request let go at `let_go` (as [`acquire_at`](Self::acquire_at) named it) was
    /// answered, or failed, `round_trip` later. It reached the portal within that time, so a
    /// gate may narrow its allowance for that request's delivery delay (as [`LeakyBucket`]
    /// does). The default ignores it.
    fn answered(&self, let_go: Instant, round_trip: Duration) {
        let _ = (let_go, round_trip);
    }
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
    /// scheduling jitter; default 500 ms): a request sent earlier but delivered later lands
    /// together with later ones. [`LeakyBucket`] allows this much for a request until it is
    /// answered, then its round trip if shorter; the one-level arithmetic
    /// ([`Self::ceiling`]) keeps this much drain in reserve.
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

    /// The highest count a client-side bucket that keeps one level, draining continuously at
    /// [`Self::per_second`], may reach and never be refused:
    /// `burst - (drain - 1) - per_second * jitter`, at least 1. [`Self::reserve`] uses it (the
    /// shared cross-process bucket of `bitrix-app`); [`LeakyBucket`] keeps its send history
    /// instead and gets `drain - 1` requests and the jitter's drain further, once per busy
    /// spell.
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

/// The level of a client-side bucket that keeps one count: how many requests it counts
/// (those reserved for the future included) as of `at`, a time measured from any fixed origin
/// (the Unix epoch for a bucket kept in a database). [`RateLimit::reserve`] and
/// [`RateLimit::fill`] are its arithmetic, for buckets that cannot keep a history of sends
/// cheaply, like `bitrix-app`'s shared one; it is never refused either, but loses
/// `drain - 1` requests and the jitter's drain against [`LeakyBucket`].
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

/// The client-side bucket of one client (shared by its clones and batches): it keeps the
/// history of its recent sends and admits each request at the earliest moment the portal
/// cannot refuse it, whatever the phase of the portal's drain steps and however delivery
/// delays within the allowance fall.
///
/// A schedule of sends is never refused exactly when every span of sends `w` long holds at
/// most `burst + drain·⌊max(0, w − J)/period⌋` requests, J being how much later than the
/// span's first request that request may reach the portal than the span's last one. The
/// bucket checks every span that ends at the new request against its history, so a busy
/// spell goes as fast as that allows: `burst` requests at once, then `drain` at once every
/// `period`, the first of those `period + J` after the spell began. B requests
/// (B > `burst`) take `⌈(B − burst)/drain⌉·period + J`: the least time of any client that
/// cannot see when the portal's steps fall. The history is bounded: drained entries are
/// dropped, and past 512 entries the oldest half is folded into one summary (lossless for a
/// spell at full rate once its first requests are answered; otherwise it may cost
/// `⌈J/period⌉` periods once per spell).
///
/// **The jitter allowance.** A request reaches the portal after it is sent and before its
/// answer comes back, so its delivery delay is at most its round trip. The bucket takes J
/// for the requests sent at one instant as the longest of their round trips once all are
/// answered ([`RequestBucket::answered`], which [`crate::Client`] reports for every
/// request), and [`RateLimit::jitter`] until then. Only the first requests of a busy spell
/// bind the later ones, and they are answered long before, so over a fast network a spell
/// costs its floor plus one round trip instead of the floor plus the configured jitter.
/// The limit: a request still unanswered is assumed to reach the portal within
/// [`RateLimit::jitter`], as before; if one takes longer (a stall), the portal may refuse
/// a later request. A refusal is repeated safely (the call did not run), and
/// [`RequestBucket::refused`] makes the bucket count the portal's counter as full from then.
///
/// [`RequestBucket::acquire`] admits the request under a lock and sleeps exactly until its
/// slot: no polling, and callers are served in the order they arrived. The cross-process
/// bucket of `bitrix-app` keeps one level instead (see [`RateLimit::ceiling`]).
#[derive(Debug)]
pub struct LeakyBucket {
    limit: RateLimit,
    /// The time origin of its history.
    origin: Instant,
    state: Mutex<Schedule>,
}

impl LeakyBucket {
    /// An empty bucket for `limit`.
    pub fn new(limit: RateLimit) -> Self {
        Self::with_history(limit, HISTORY_CAP)
    }

    /// An empty bucket keeping at most `cap` entries of history.
    fn with_history(limit: RateLimit, cap: usize) -> Self {
        LeakyBucket {
            limit,
            origin: Instant::now(),
            state: Mutex::new(Schedule::new(limit, cap)),
        }
    }

    /// The limit it mirrors.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits one request at `now` and returns how long to wait before sending it.
    fn reserve_at(&self, now: Instant) -> Duration {
        let now = now.saturating_duration_since(self.origin);
        self.lock().admit(now).saturating_sub(now)
    }

    /// Counts the portal's counter as full at `now` (requests already admitted keep their
    /// places).
    fn refused_at(&self, now: Instant) {
        let now = now.saturating_duration_since(self.origin);
        self.lock().refused(now);
    }
}

impl RequestBucket for LeakyBucket {
    fn acquire(&self) -> Wait<'_> {
        self.acquire_at(Instant::now())
    }

    fn acquire_at(&self, asked: Instant) -> Wait<'_> {
        let wait = self.reserve_at(asked);
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

    fn answered(&self, let_go: Instant, round_trip: Duration) {
        let at = let_go.saturating_duration_since(self.origin);
        self.lock().answered(at, round_trip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// The send times (ns after the first) of `n` requests all asked for at once, paced by
    /// the one-level arithmetic of [`RateLimit::reserve`] (the shared cross-process bucket).
    fn level_schedule(limit: RateLimit, n: usize) -> Vec<u128> {
        let mut level = Level::default();
        (0..n)
            .map(|_| {
                let (next, wait) = limit.reserve(level, Duration::ZERO);
                level = next;
                wait.as_nanos()
            })
            .collect()
    }

    /// The same paced by a send history keeping `cap` entries; with `round_trip`, each
    /// request is answered that long after it went, before the next one asks.
    fn history_schedule(
        limit: RateLimit,
        round_trip: Option<Duration>,
        cap: usize,
        n: usize,
    ) -> Vec<u128> {
        let mut h = Schedule::new(limit, cap);
        (0..n)
            .map(|_| {
                let at = h.admit(Duration::ZERO);
                if let Some(r) = round_trip {
                    h.answered(at, r);
                }
                assert!(h.len() <= cap.max(4) + 1, "{} entries kept", h.len());
                at.as_nanos()
            })
            .collect()
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

    /// The most refusals by the portal `portal` of the send times `sends` (in order) over the
    /// step phases and over delivery delays of up to `portal.jitter` that squeeze the requests
    /// sent from each request on into the shortest span (delayed to that request's send time
    /// + jitter, later ones on time).
    fn worst_refusals(sends: &[u128], portal: RateLimit) -> usize {
        let (period, jitter) = (portal.period.as_nanos(), portal.jitter.as_nanos());
        let mut worst = 0;
        for k in 0..sends.len() {
            if k > 0 && sends[k] == sends[k - 1] {
                continue; // The same squeeze as for the first send at that instant.
            }
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

    /// Spans of sends (in order; each with the most it may be delayed) holding more than
    /// `burst + drain·⌊max(0, w − D)/period⌋` requests, `D` the longest delay allowed to the
    /// requests sent at the span's first instant: the condition [`worst_refusals`] plays out,
    /// checked directly, for schedules too long to play.
    fn crowded_spans(sends: &[(u128, u128)], limit: RateLimit) -> usize {
        let p = limit.period.as_nanos();
        let (x, y) = (u128::from(limit.burst), u128::from(limit.drain));
        let mut crowded = 0;
        for i in 0..sends.len() {
            if i > 0 && sends[i].0 == sends[i - 1].0 {
                continue;
            }
            let start = sends[i].0;
            let delay = sends[i..]
                .iter()
                .take_while(|s| s.0 == start)
                .map(|s| s.1)
                .max()
                .unwrap_or(0);
            for (j, &(end, _)) in sends.iter().enumerate().skip(i) {
                let n = (j - i + 1) as u128;
                if n > x + y * ((end - start).saturating_sub(delay) / p) {
                    crowded += 1;
                }
            }
        }
        crowded
    }

    /// `sends` each allowed `delay`.
    fn delayed(sends: &[u128], delay: Duration) -> Vec<(u128, u128)> {
        sends.iter().map(|&s| (s, delay.as_nanos())).collect()
    }

    fn limits() -> [RateLimit; 4] {
        [
            RateLimit::standard(),
            RateLimit::enterprise(),
            RateLimit::standard().with_jitter(Duration::ZERO),
            RateLimit::standard()
                .with_period(Duration::from_millis(100))
                .with_jitter(Duration::from_millis(230)),
        ]
    }

    #[test]
    fn the_ceiling_is_never_refused_and_is_the_highest_such() {
        for limit in limits() {
            let n = limit.burst as usize + 6 * limit.drain as usize;
            assert_eq!(
                worst_refusals(&level_schedule(limit, n), limit),
                0,
                "{limit:?}"
            );
            // A client that allows for 40 ms less jitter than there is, or (without jitter)
            // one more request, may be refused.
            let bolder = if limit.jitter.is_zero() {
                RateLimit {
                    burst: limit.burst + 1,
                    ..limit
                }
            } else {
                limit.with_jitter(limit.jitter - 40 * MS)
            };
            let sends = level_schedule(bolder, n);
            assert!(worst_refusals(&sends, limit) > 0, "{bolder:?}");
        }
    }

    /// `⌈(n − X)/Y⌉·P + J`: the earliest the last of `n` requests can go.
    fn floor_plus_jitter(limit: RateLimit, jitter: Duration, n: usize) -> u128 {
        let over = (n as u128).saturating_sub(u128::from(limit.burst));
        over.div_ceil(u128::from(limit.drain)) * limit.period.as_nanos() + jitter.as_nanos()
    }

    #[test]
    fn the_history_is_never_refused_and_reaches_the_floor_plus_jitter() {
        for limit in limits() {
            for extra in [0, 1] {
                let n = limit.burst as usize + 6 * limit.drain as usize + extra;
                // Unanswered requests: the configured jitter.
                let sends = history_schedule(limit, None, HISTORY_CAP, n);
                assert_eq!(worst_refusals(&sends, limit), 0, "{limit:?}, {n}");
                assert_eq!(crowded_spans(&delayed(&sends, limit.jitter), limit), 0);
                let last = *sends.last().unwrap();
                assert_eq!(last, floor_plus_jitter(limit, limit.jitter, n), "{limit:?}");
                // The burst at once, then `drain` at once every period from P + J on.
                let x = limit.burst as usize;
                assert!(sends[..x].iter().all(|&s| s == 0));
                let first = (limit.period + limit.jitter).as_nanos();
                assert!(sends[x..x + limit.drain as usize]
                    .iter()
                    .all(|&s| s == first));
                // Answered within 30 ms: the floor plus 30 ms, against a portal that delays
                // requests by up to 30 ms.
                let fast = limit.jitter.min(30 * MS);
                let sends = history_schedule(limit, Some(fast), HISTORY_CAP, n);
                assert_eq!(worst_refusals(&sends, limit.with_jitter(fast)), 0);
                assert_eq!(*sends.last().unwrap(), floor_plus_jitter(limit, fast, n));
            }
        }
    }

    #[test]
    fn a_looser_history_rule_is_refused() {
        for limit in limits() {
            let n = limit.burst as usize + 6 * limit.drain as usize;
            // Requests reported answered 40 ms sooner than the portal may delay them, or
            // (without jitter) one request more.
            let sends = if limit.jitter.is_zero() {
                let bolder = RateLimit {
                    burst: limit.burst + 1,
                    ..limit
                };
                history_schedule(bolder, None, HISTORY_CAP, n)
            } else {
                history_schedule(limit, Some(limit.jitter - 40 * MS), HISTORY_CAP, n)
            };
            assert!(worst_refusals(&sends, limit) > 0, "{limit:?}");
            assert!(crowded_spans(&delayed(&sends, limit.jitter), limit) > 0);
        }
    }

    #[test]
    fn folding_keeps_a_long_full_rate_spell_never_refused_and_bounded() {
        for limit in limits() {
            // Played out in full, with a fold every few steps.
            let n = limit.burst as usize + 40 * limit.drain as usize;
            let sends = history_schedule(limit, None, 6, n);
            assert_eq!(worst_refusals(&sends, limit), 0, "{limit:?}");
            // Thousands of sends, checked span by span; the folds cost nothing.
            let n = 4_000;
            for round_trip in [None, Some(10 * MS)] {
                let jitter = round_trip.unwrap_or(limit.jitter).min(limit.jitter);
                let sends = history_schedule(limit, round_trip, 8, n);
                let spans = crowded_spans(&delayed(&sends, jitter), limit);
                assert_eq!(spans, 0, "{limit:?}");
                assert_eq!(*sends.last().unwrap(), floor_plus_jitter(limit, jitter, n));
            }
        }
    }

    #[test]
    fn a_spell_that_folds_before_its_first_answers_loses_at_most_the_jitter_once() {
        for limit in limits() {
            let (n, fast) = (4_000, limit.jitter.min(10 * MS));
            // The first requests are answered only after the first fold (which sums them up
            // with the configured jitter), the later ones at once.
            let mut h = Schedule::new(limit, 8);
            let mut sends = Vec::new();
            for i in 0..n {
                let at = h.admit(Duration::ZERO);
                if i >= limit.burst as usize + 20 * limit.drain as usize {
                    h.answered(at, fast);
                }
                sends.push(at.as_nanos());
            }
            let spans = crowded_spans(&delayed(&sends, limit.jitter), limit);
            assert_eq!(spans, 0, "{limit:?}");
            let (last, best) = (*sends.last().unwrap(), floor_plus_jitter(limit, fast, n));
            let p = limit.period.as_nanos();
            let cost = (limit.jitter - fast).as_nanos().div_ceil(p) * p;
            assert!(last >= best && last <= best + cost, "{limit:?}");
        }
    }

    /// A deterministic pseudo-random sequence (a linear congruential generator).
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    }

    #[test]
    fn requests_asked_for_at_random_times_are_never_crowded() {
        for limit in limits() {
            for (seed, cap) in [(1u64, 4usize), (2, 6), (3, 16), (4, HISTORY_CAP)] {
                let mut seed = seed;
                let mut h = Schedule::new(limit, cap);
                let (mut now, mut sends) = (Duration::ZERO, Vec::new());
                let period_ms = limit.period.as_millis() as u64;
                let jitter_ns = limit.jitter.as_nanos() as u64;
                for _ in 0..3_000 {
                    // Mostly bursts, sometimes a pause of up to three periods.
                    let pause = match lcg(&mut seed) % 10 {
                        0 => lcg(&mut seed) % (3 * period_ms + 1),
                        1..=3 => lcg(&mut seed) % 50,
                        _ => 0,
                    };
                    now +=
                        Duration::from_millis(pause) + Duration::from_nanos(lcg(&mut seed) % 1_000);
                    let at = h.admit(now);
                    assert!(at >= now && h.len() <= cap.max(4) + 1);
                    // Most answered, after a random round trip; some never.
                    let delay = match lcg(&mut seed) % 8 {
                        0 => jitter_ns,
                        _ => {
                            let r = lcg(&mut seed) % (jitter_ns + 1);
                            h.answered(at, Duration::from_nanos(r));
                            r
                        }
                    };
                    sends.push((at.as_nanos(), u128::from(delay)));
                    // Now and then the portal refuses one.
                    if lcg(&mut seed) % 500 == 0 {
                        h.refused(now + Duration::from_nanos(lcg(&mut seed) % (jitter_ns + 1)));
                    }
                }
                assert_eq!(crowded_spans(&sends, limit), 0, "{limit:?} {cap}");
            }
        }
    }

    #[test]
    fn drained_entries_are_dropped() {
        let limit = RateLimit::standard();
        let mut h = Schedule::new(limit, HISTORY_CAP);
        for i in 0..20u64 {
            h.admit(Duration::from_millis(10 * i));
        }
        assert_eq!(h.len(), 20);
        // 20 requests drain in 10 periods; after those plus the jitter only the new one stays.
        h.admit(Duration::from_millis(190 + 10_500));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn a_burst_then_the_drain_rate() {
        let b = LeakyBucket::new(RateLimit::new(5, 2).with_jitter(Duration::ZERO));
        let t0 = b.origin;
        // All five at once, then two at a time every second.
        for _ in 0..5 {
            assert_eq!(b.reserve_at(t0), Duration::ZERO);
        }
        let w: Vec<u128> = (0..5).map(|_| b.reserve_at(t0).as_millis()).collect();
        assert_eq!(w, vec![1000, 1000, 2000, 2000, 3000]);
        // After everything drained, a burst is allowed again.
        assert_eq!(b.reserve_at(t0 + Duration::from_secs(10)), Duration::ZERO);
    }

    #[test]
    fn a_refusal_counts_the_portal_full_and_keeps_admitted_places() {
        let b = LeakyBucket::new(RateLimit::new(50, 2));
        let t0 = b.origin;
        assert_eq!(b.reserve_at(t0), Duration::ZERO);
        // Refused, answered 100 ms later: the counter was full then. The next two go one
        // period after that, then two a period.
        let t1 = t0 + 100 * MS;
        b.refused_at(t1);
        let w: Vec<u128> = (0..3).map(|_| b.reserve_at(t1).as_millis()).collect();
        assert_eq!(w, vec![1000, 1000, 2000]);
        // Another refusal while those three wait (at 1.1 s, 1.1 s and 2.1 s): they keep their
        // places and count after it.
        let t2 = t0 + 500 * MS;
        b.refused_at(t2);
        let w: Vec<u128> = (0..2).map(|_| b.reserve_at(t2).as_millis()).collect();
        assert_eq!(w, vec![2000, 3000]);
    }

    #[test]
    fn a_request_is_allowed_its_round_trip_once_answered() {
        let b = LeakyBucket::new(RateLimit::standard());
        let asked = b.origin + 3 * MS;
        // 50 at once (named by the moment they may go), 49 answered in 20 ms.
        let go: Vec<Instant> = (0..50).map(|_| asked + b.reserve_at(asked)).collect();
        for &g in &go[1..] {
            b.answered(g, 20 * MS);
        }
        let mut h = b.lock().clone();
        let next = |h: &mut Schedule| h.admit(Duration::ZERO) - 3 * MS;
        assert_eq!(
            next(&mut h.clone()),
            Duration::from_millis(1500),
            "one unanswered"
        );
        b.answered(go[0], 35 * MS);
        h = b.lock().clone();
        assert_eq!(
            next(&mut h.clone()),
            Duration::from_millis(1035),
            "the longest"
        );
        // A round trip longer than the configured jitter counts as that.
        b.answered(go[0], 700 * MS);
        h = b.lock().clone();
        assert_eq!(
            next(&mut h),
            Duration::from_millis(1035),
            "already all answered"
        );
        // Named by a moment other than when it may go, an answer is not matched.
        let b = LeakyBucket::new(RateLimit::new(2, 1).with_period(100 * MS));
        let asked = b.origin + MS;
        for _ in 0..2 {
            let go = asked + b.reserve_at(asked);
            b.answered(go + MS, 5 * MS);
        }
        assert_eq!(b.reserve_at(asked), 100 * MS + b.limit.jitter);
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
