//! The per-method operating-time budget: how much server time each method used in the
//! portal's ten-minute window, read from `time.operating` / `time.operating_reset_at`.

use crate::types::Time;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the client knows about each method's budget.
#[derive(Debug)]
pub(crate) struct Budgets {
    /// The portal's budget per method (480 s on cloud plans); `None`: do not pace.
    limit: Option<Duration>,
    /// How long a method is left alone after `OPERATION_TIME_LIMIT` when no reset time is known.
    pause: Duration,
    methods: Mutex<HashMap<String, MethodBudget>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct MethodBudget {
    /// Server time used in the window, as last reported.
    operating: f64,
    /// When the oldest basket leaves the window (Unix seconds), as last reported.
    reset_at: Option<i64>,
    /// Largest growth of `operating` seen between two answers: the expected cost of a call.
    cost: f64,
    /// No call before this instant.
    blocked_until: Option<Instant>,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Time from now until Unix second `at`, when that is in the future.
fn until(at: i64) -> Option<Duration> {
    let d = at as f64 - unix_now();
    (d > 0.0).then(|| Duration::from_secs_f64(d))
}

impl Budgets {
    pub(crate) fn new(limit: Option<Duration>, pause: Duration) -> Self {
        Budgets {
            limit,
            pause,
            methods: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, method: &str, f: impl FnOnce(&mut MethodBudget) -> R) -> R {
        let mut m = self.methods.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = m.get_mut(method) {
            return f(b);
        }
        f(m.entry(method.to_owned()).or_default())
    }

    /// How long to wait before the next call of `method` (zero: go now). A method whose
    /// reported use plus one more call would pass the budget waits until its oldest basket
    /// leaves the window.
    pub(crate) fn delay(&self, method: &str) -> Duration {
        let now = Instant::now();
        let limit = self.limit.map(|l| l.as_secs_f64());
        self.with(method, |b| {
            if let Some(t) = b.blocked_until {
                if t > now {
                    return t - now;
                }
                b.blocked_until = None;
            }
            match (limit, b.reset_at) {
                (Some(limit), Some(at)) if b.operating + b.cost.max(0.001) > limit => {
                    let wait = until(at).unwrap_or(Duration::ZERO);
                    // After the reset the use is unknown until the next answer.
                    b.operating = 0.0;
                    b.blocked_until = Some(now + wait);
                    wait
                }
                _ => Duration::ZERO,
            }
        })
    }

    /// Records what an answer of `method` reported.
    pub(crate) fn observe(&self, method: &str, time: &Time) {
        let Some(operating) = time.operating else {
            return;
        };
        self.with(method, |b| {
            if operating > b.operating && b.operating > 0.0 {
                b.cost = b.cost.max(operating - b.operating);
            }
            b.operating = operating;
            if time.operating_reset_at.is_some() {
                b.reset_at = time.operating_reset_at;
            }
        });
    }

    /// `method` was refused with `OPERATION_TIME_LIMIT`: no call of it until the reset time
    /// last reported, or for the pause when that is past or unknown. Returns the wait.
    pub(crate) fn refused(&self, method: &str) -> Duration {
        let now = Instant::now();
        let pause = self.pause;
        self.with(method, |b| {
            let wait = b.reset_at.and_then(until).unwrap_or(pause);
            // The next reset time comes with the next answer.
            b.reset_at = None;
            b.operating = 0.0;
            let t = now + wait;
            b.blocked_until = Some(b.blocked_until.map_or(t, |old| old.max(t)));
            wait
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(operating: f64, reset_in: i64) -> Time {
        let v = serde_json::json!({
            "operating": operating,
            "operating_reset_at": unix_now() as i64 + reset_in,
        });
        <Time as crate::__private::Lenient>::lenient(v).unwrap()
    }

    #[test]
    fn paces_a_method_near_its_budget_until_the_reset() {
        let b = Budgets::new(Some(Duration::from_secs(10)), Duration::from_secs(60));
        b.observe("m", &time(4.0, 30));
        b.observe("m", &time(7.0, 30));
        assert_eq!(b.delay("m"), Duration::ZERO, "7 + 3 is within 10");
        b.observe("m", &time(8.0, 30));
        let d = b.delay("m");
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(31),
            "{d:?}"
        );
        assert_eq!(b.delay("other"), Duration::ZERO);
    }

    #[test]
    fn a_refusal_waits_for_the_reset_then_for_the_pause() {
        let b = Budgets::new(None, Duration::from_secs(60));
        b.observe("m", &time(1.0, 5));
        let first = b.refused("m");
        assert!(first <= Duration::from_secs(6) && first > Duration::from_secs(3));
        assert_eq!(b.refused("m"), Duration::from_secs(60));
        assert!(b.delay("m") > Duration::from_secs(50));
    }
}
