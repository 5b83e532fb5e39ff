//! The send history behind [`super::LeakyBucket`]: it admits each request at the earliest
//! moment the portal cannot refuse it, whatever the phase of the portal's drain steps and
//! however the requests' delivery delays (each within its allowance) fall.
//!
//! With X = `burst`, Y = `drain` and P = `period`: the portal refuses a request when, for some
//! span of arrivals `[a, b]` ending with it, more than `X + Y·(steps in (a, b])` requests
//! arrived, and the steps in a span `d` long can be as few as `⌊d/P⌋`. Take the requests that
//! arrive within such a span; let `s_i` be the earliest and `s_j` the latest time at which any
//! of them was sent and `J_i` the longest delay the ones sent at `s_i` may have. They are at
//! most the `n[s_i, s_j]` requests sent from `s_i` to `s_j`, and the span is at least
//! `max(0, s_j − s_i − J_i)` long (the later ones arrive no earlier than sent). So a schedule
//! of sends is never refused when every span of sends from `s_i` to `s_j` holds at most
//! `X + Y·⌊max(0, s_j − s_i − J_i)/P⌋` requests (and with one `J` for all, only then:
//! BENCHMARKS.md, "The gap to the floor"). Sends are admitted in order, so only the spans that
//! end at the new send need checking: for every kept entry `i` (`n_i` sends from `s_i` on, the
//! new one included) the new send waits until `s_i + J_i + P·⌈(n_i − X)/Y⌉` when `n_i > X`.
//!
//! `J_i` is the longest round trip of the requests sent at `s_i` once all are answered (a
//! request reaches the portal after it is sent and before its answer comes back), and the
//! configured [`RateLimit::jitter`] before. Only the first entries of a busy spell bind later
//! sends, and they are answered long before, so a spell costs its floor plus about one round
//! trip. The assumption left: an unanswered request reaches the portal within the configured
//! jitter.
//!
//! The history stays bounded. An entry whose sends the portal has surely drained by the next
//! send is dropped (see [`Schedule::prune`]); when more than `cap` entries remain (a long spell
//! at full rate keeps its first entry binding), the oldest are folded into one *excess* entry
//! `(τ, U)` with the constraint `U + n[τ, t] ≤ X + Y·⌊(t − τ)/P⌋` for a send at `t` (see
//! [`Schedule::fold`]). A refusal from the portal is such an entry too: `(now, X)`, the
//! counter was full.
//!
//! Every rule rests on `⌊a⌋ + ⌊b⌋ ≤ ⌊a + b⌋` for all real `a`, `b`.

use std::collections::VecDeque;
use std::time::Duration;

use super::RateLimit;

/// What an entry of the history stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `count` requests sent at `at`: they may reach the portal up to [`Entry::jitter`] late,
    /// so the span from them on that the portal sees shrinks by it.
    Sends,
    /// Earlier sends (folded ones, or the requests that filled the portal's counter before a
    /// refusal) summed up as `excess` requests counted against the sends from `at` on, with no
    /// jitter allowance (it is inside `excess`). `count` is 0.
    Excess(i64),
}

/// One entry of the history, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// From the bucket's time origin.
    at: Duration,
    /// Requests sent at `at`.
    count: u64,
    /// How many of them have been answered (or failed) so far.
    answered: u64,
    /// The longest round trip among those.
    longest: Duration,
    kind: Kind,
}

impl Entry {
    /// The most its requests may be delayed on the way to the portal: the longest of their
    /// round trips once all are answered (a request reaches the portal before its answer
    /// comes back), else the configured jitter. Only a request joining the entry (sent at
    /// the same instant) lifts it again, until that one is answered too.
    fn jitter(&self, configured: Duration) -> Duration {
        if self.answered >= self.count {
            self.longest.min(configured)
        } else {
            configured
        }
    }
}

/// The history of one bucket's sends. Times are durations from the bucket's origin.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    limit: RateLimit,
    /// Entries kept before the oldest are folded.
    cap: usize,
    entries: VecDeque<Entry>,
    /// Requests in `entries` (the sum of their counts).
    kept: u64,
    /// The latest send: the next one goes no earlier (sends keep their order).
    last: Duration,
}

/// Entries a bucket keeps before it folds the oldest half.
pub(crate) const HISTORY_CAP: usize = 512;

impl Schedule {
    /// An empty history for `limit`, keeping at most `cap` entries (at least 4).
    pub(crate) fn new(limit: RateLimit, cap: usize) -> Self {
        Schedule {
            limit,
            cap: cap.max(4),
            entries: VecDeque::new(),
            kept: 0,
            last: Duration::ZERO,
        }
    }

    /// Entries kept (for tests of the bound).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the limit paces at all: a counter that never drains (`drain` 0) or drains
    /// continuously (`period` 0) is not paced, as [`RateLimit::reserve`] does not pace it.
    fn paced(&self) -> bool {
        self.limit.drain > 0 && !self.limit.period.is_zero()
    }

    /// The portal's threshold, at least 1 (a request always fits an empty counter).
    fn burst(&self) -> i128 {
        i128::from(self.limit.burst.max(1))
    }

    /// Admits one request asked for at `now`: records it and returns when it may be sent
    /// (never before `now`, never before the previous one).
    pub(crate) fn admit(&mut self, now: Duration) -> Duration {
        let earliest = now.max(self.last);
        let at = if self.paced() {
            self.earliest(earliest)
        } else {
            earliest
        };
        if self.paced() {
            self.prune(at);
        }
        self.record(at);
        if self.paced() && self.entries.len() > self.cap {
            self.fold();
        }
        at
    }

    /// The portal refused a request (answered at `now`): its counter was full. Recorded as an
    /// excess entry of `burst` at `now`, before any send at `now` or later (they keep their
    /// places and count after it).
    pub(crate) fn refused(&mut self, now: Duration) {
        if !self.paced() {
            return;
        }
        let place = self
            .entries
            .iter()
            .position(|e| e.at >= now)
            .unwrap_or(self.entries.len());
        let full = Entry::excess(now, i64::from(self.limit.burst));
        self.entries.insert(place, full);
        if self.entries.len() > self.cap {
            self.fold();
        }
    }

    /// A request let go at `at` was answered (or failed) `round_trip` later. A request whose
    /// entry was folded or dropped meanwhile is not looked for.
    pub(crate) fn answered(&mut self, at: Duration, round_trip: Duration) {
        let sends = self
            .entries
            .iter_mut()
            .rev()
            .skip_while(|e| e.at > at)
            .take_while(|e| e.at == at)
            .find(|e| e.kind == Kind::Sends && e.answered < e.count);
        if let Some(e) = sends {
            e.answered += 1;
            e.longest = e.longest.max(round_trip);
        }
    }

    /// The earliest time from `from` at which one more send keeps every kept constraint.
    fn earliest(&self, from: Duration) -> Duration {
        let (x, y, p) = (self.burst(), self.drain(), ns(self.limit.period));
        let mut t = ns(from);
        // Sends from the entry on, the new one included.
        let mut n: i128 = 1;
        for e in self.entries.iter().rev() {
            n += i128::from(e.count);
            let (over, start) = match e.kind {
                Kind::Sends => (n - x, ns(e.at) + ns(e.jitter(self.limit.jitter))),
                Kind::Excess(u) => (i128::from(u) + n - x, ns(e.at)),
            };
            if over > 0 {
                // ⌈over / Y⌉ whole steps after `start`.
                t = t.max(start.saturating_add(ceil_div(over, y).saturating_mul(p)));
            }
        }
        time(t)
    }

    fn drain(&self) -> i128 {
        i128::from(self.limit.drain.max(1))
    }

    /// Counts one send at `at` (no earlier than the last one).
    fn record(&mut self, at: Duration) {
        self.last = at;
        self.kept = self.kept.saturating_add(1);
        match self.entries.back_mut() {
            Some(e) if e.at == at && e.kind == Kind::Sends => e.count = e.count.saturating_add(1),
            _ => self.entries.push_back(Entry {
                at,
                count: 1,
                answered: 0,
                longest: Duration::ZERO,
                kind: Kind::Sends,
            }),
        }
    }

    /// Drops the oldest entries whose constraint can no longer bind once the sends go at
    /// `next` or later (called before the send at `next` is recorded).
    ///
    /// With `N` sends from the entry (at `s`, allowance `J`) on before `next`, the sends from
    /// `next` on obey their own constraints (the first of them is an entry too): at most
    /// `X + Y·⌊(t − f)/P⌋` of them from `f ≥ next` to `t`, and at most `X` while
    /// `t − f` is below their allowance. If `N ≤ Y·⌊(next − s − J)/P⌋`, all the sends from `s`
    /// to `t` are then at most `X + Y·⌊(t − s − J)/P⌋` by `⌊a⌋ + ⌊b⌋ ≤ ⌊a + b⌋`, so the
    /// entry's constraint holds by itself; an excess entry likewise when
    /// `U + N ≤ Y·⌊(next − τ)/P⌋`. `J` shrinks as answers come and no send joins a dropped
    /// entry, so the check stays true. Only the front is dropped, so every kept entry still
    /// counts all the sends after it.
    fn prune(&mut self, next: Duration) {
        let (y, p) = (self.drain(), ns(self.limit.period));
        while let Some(e) = self.entries.front().copied() {
            let n = i128::from(self.kept);
            let drained = |span: i128| y.saturating_mul(span.div_euclid(p));
            let jitter = ns(e.jitter(self.limit.jitter));
            let done = match e.kind {
                Kind::Sends => n <= drained(ns(next) - ns(e.at) - jitter),
                Kind::Excess(u) => i128::from(u) + n <= drained(ns(next) - ns(e.at)),
            };
            if !done {
                break;
            }
            self.kept = self.kept.saturating_sub(e.count);
            self.entries.pop_front();
        }
    }

    /// Folds the oldest entries (about half) into one excess entry at a time `τ'`.
    ///
    /// Every entry at or before `τ'` goes. For a send entry at `s` with `n[s, τ']` sends from
    /// it up to `τ'`, and an excess entry `(τ, U)` likewise, the new excess is
    ///
    /// `U' = max(n[s, τ'] − Y·⌊(τ' − s − J)/P⌋, U + n[τ, τ'] − Y·⌊(τ' − τ)/P⌋)`
    ///
    /// over the folded entries (`J` the entry's allowance, fixed from now on: no send joins a
    /// folded entry). Then `U' + n(τ', t] ≤ X + Y·⌊(t − τ')/P⌋` gives each folded constraint,
    /// since `⌊(t − τ')/P⌋ + ⌊(τ' − s − J)/P⌋ ≤ ⌊(t − s − J)/P⌋` (also when the second term is
    /// negative). Entries after `τ'` are kept and count against the new entry; `τ'` is never
    /// after the newest send, so every later send counts after it.
    ///
    /// `τ'` is a whole number of periods after the oldest entry when that is an excess entry
    /// (an earlier fold), so the chain of full-rate steps it stands for loses nothing; the
    /// first fold puts it at a send. Over a spell at full rate whose first requests are
    /// answered, a fold costs nothing; if they are still unanswered at the first fold, it sums
    /// them up with the configured jitter, which costs at most `⌈(jitter − round trip)/P⌉`
    /// periods once (one period on a portal, where the jitter is below a period).
    fn fold(&mut self) {
        let len = self.entries.len();
        // The newest entry to fold: about half stay, and never the newest.
        let target = len - self.cap / 2 - 1;
        let Some(target_at) = self.entries.get(target).map(|e| e.at) else {
            return;
        };
        let p = ns(self.limit.period);
        let mut point = target_at;
        if let Some(Entry {
            at: base,
            kind: Kind::Excess(_),
            ..
        }) = self.entries.front().copied()
        {
            let whole = time(ns(base) + (ns(target_at) - ns(base)).div_euclid(p) * p);
            let folded = self.entries.iter().filter(|e| e.at <= whole).count();
            // Rounding down to whole periods must still fold a good share.
            if folded > self.cap / 4 {
                point = whole;
            }
        }
        let y = self.drain();
        let drained = |span: i128| y.saturating_mul(span.div_euclid(p));
        let (mut n, mut excess, mut folded) = (0i128, i128::MIN, 0usize);
        let upto = self.entries.iter().take_while(|e| e.at <= point).count();
        for e in self.entries.iter().take(upto).rev() {
            n += i128::from(e.count);
            let span = ns(point) - ns(e.at);
            let u = match e.kind {
                Kind::Sends => n - drained(span - ns(e.jitter(self.limit.jitter))),
                Kind::Excess(u) => i128::from(u) + n - drained(span),
            };
            excess = excess.max(u);
            folded += 1;
        }
        if folded == 0 {
            return;
        }
        let mut removed = 0u64;
        for e in self.entries.drain(..folded) {
            removed = removed.saturating_add(e.count);
        }
        self.kept = self.kept.saturating_sub(removed);
        let excess = i64::try_from(excess).unwrap_or(if excess < 0 { i64::MIN } else { i64::MAX });
        self.entries.push_front(Entry::excess(point, excess));
    }
}

impl Entry {
    /// An excess entry: `excess` requests counted against the sends from `at` on.
    fn excess(at: Duration, excess: i64) -> Self {
        Entry {
            at,
            count: 0,
            answered: 0,
            longest: Duration::ZERO,
            kind: Kind::Excess(excess),
        }
    }
}

/// `a / b` rounded up, for `b > 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    -(-a).div_euclid(b)
}

/// A duration in nanoseconds, signed for span arithmetic.
fn ns(d: Duration) -> i128 {
    i128::try_from(d.as_nanos()).unwrap_or(i128::MAX)
}

/// Nanoseconds as a duration: negative ones as zero, huge ones saturated.
fn time(ns: i128) -> Duration {
    let secs = ns.max(0).div_euclid(1_000_000_000);
    let nanos = ns.max(0).rem_euclid(1_000_000_000);
    match (u64::try_from(secs), u32::try_from(nanos)) {
        (Ok(s), Ok(n)) => Duration::new(s, n),
        _ => Duration::MAX,
    }
}
