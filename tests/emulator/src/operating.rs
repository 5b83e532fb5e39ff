//! The per-method operating-time budget: server time used by each method of
//! each caller, in baskets over a sliding window.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use crate::config::OperatingLimit;
use crate::wire::clock::unix_f64;

/// Baskets per window (one a minute in ten minutes on a portal).
const BASKETS: u32 = 10;

#[derive(Debug, Clone, Copy)]
struct Basket {
    opened: Instant,
    opened_wall: SystemTime,
    used: Duration,
}

/// What a call's `time` object reports about its method's budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usage {
    /// Server time used in the window, in seconds.
    pub operating: f64,
    /// When the oldest basket leaves the window (Unix seconds, rounded up).
    pub reset_at: i64,
}

/// Budgets of every (caller, method).
#[derive(Debug)]
pub(crate) struct Operating {
    limit: OperatingLimit,
    baskets: HashMap<(i64, String), Vec<Basket>>,
}

impl Operating {
    pub(crate) fn new(limit: OperatingLimit) -> Self {
        Operating {
            limit,
            baskets: HashMap::new(),
        }
    }

    fn live(&mut self, user: i64, method: &str, now: Instant) -> &mut Vec<Basket> {
        let window = self.limit.window;
        let b = self.baskets.entry((user, method.to_owned())).or_default();
        b.retain(|k| now.saturating_duration_since(k.opened) < window);
        b
    }

    /// Whether a call may run now: `false` when the method's count is above the budget.
    pub(crate) fn admit(&mut self, user: i64, method: &str) -> bool {
        self.admit_at(user, method, Instant::now())
    }

    fn admit_at(&mut self, user: i64, method: &str, now: Instant) -> bool {
        let budget = self.limit.budget;
        let used: Duration = self.live(user, method, now).iter().map(|k| k.used).sum();
        used <= budget
    }

    /// Counts one call that ran; returns the usage to report.
    pub(crate) fn charge(&mut self, user: i64, method: &str) -> Usage {
        self.charge_at(user, method, Instant::now(), SystemTime::now())
    }

    fn charge_at(&mut self, user: i64, method: &str, now: Instant, wall: SystemTime) -> Usage {
        let OperatingLimit { cost, window, .. } = self.limit;
        let basket_len = window / BASKETS;
        let b = self.live(user, method, now);
        match b.last_mut() {
            Some(last) if now.saturating_duration_since(last.opened) < basket_len => {
                last.used += cost;
            }
            _ => b.push(Basket {
                opened: now,
                opened_wall: wall,
                used: cost,
            }),
        }
        let used: Duration = b.iter().map(|k| k.used).sum();
        let oldest = b.first().map_or(wall, |k| k.opened_wall);
        Usage {
            operating: used.as_secs_f64(),
            reset_at: unix_f64(oldest + window).ceil() as i64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_above_the_budget_until_the_oldest_basket_leaves() {
        let mut o = Operating::new(OperatingLimit {
            budget: Duration::from_secs(2),
            window: Duration::from_secs(10),
            cost: Duration::from_secs(1),
        });
        let (t0, w0) = (Instant::now(), SystemTime::now());
        for _ in 0..3 {
            assert!(o.admit_at(1, "m", t0));
            o.charge_at(1, "m", t0, w0);
        }
        assert!(!o.admit_at(1, "m", t0), "3 s used, budget 2 s");
        assert!(o.admit_at(2, "m", t0) && o.admit_at(1, "other", t0));
        let later = t0 + Duration::from_secs(1);
        let u = o.charge_at(2, "m", later, w0 + Duration::from_secs(1));
        assert_eq!(u.operating, 1.0);
        assert!(o.admit_at(1, "m", t0 + Duration::from_secs(10)));
    }
}
