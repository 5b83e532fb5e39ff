//! The rule for repeating a call, decided from the typed error.

use crate::error::{Error, LimitKind};
use crate::method::MethodError;
use std::time::Duration;

/// When a call is sent again. One rule: refusals before running (`QUERY_LIMIT_EXCEEDED`,
/// `OPERATION_TIME_LIMIT`) are always repeated, until `refusal_deadline`; transport errors
/// and HTTP 5xx answers are repeated `transient_retries` times for reads only, because a
/// write may have run; writes are repeated too only with `repeat_writes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How long after its first attempt a refused call may still be repeated (default 5 min).
    /// A wait that would end past it is not started: the refusal is returned.
    pub refusal_deadline: Duration,
    /// Repeats of a read after a transport error or HTTP 5xx (default 2).
    pub transient_retries: u32,
    /// Whether writes are repeated after a transport error or HTTP 5xx too (default no).
    pub repeat_writes: bool,
    /// Pause before the first repeat after a transient failure (default 500 ms); it doubles
    /// with each repeat, up to `max_pause`.
    pub first_pause: Duration,
    /// Longest pause after a transient failure (default 8 s).
    pub max_pause: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            refusal_deadline: Duration::from_secs(300),
            transient_retries: 2,
            repeat_writes: false,
            first_pause: Duration::from_millis(500),
            max_pause: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Never repeat a call: every refusal and failure is returned at once.
    pub fn never() -> Self {
        RetryPolicy {
            refusal_deadline: Duration::ZERO,
            transient_retries: 0,
            ..Self::default()
        }
    }

    /// What to do after `error`, for a call that is a read or not, which has already been
    /// repeated `transient_done` times after transient failures.
    pub(crate) fn decide<E: MethodError>(
        &self,
        error: &Error<E>,
        read: bool,
        transient_done: u32,
    ) -> Decision {
        match error.limit() {
            Some(LimitKind::Rate) => Decision::Repeat(Repeat::Rate),
            Some(LimitKind::OperatingTime) => Decision::Repeat(Repeat::Operating),
            None if error.is_transient()
                && (read || self.repeat_writes)
                && transient_done < self.transient_retries =>
            {
                Decision::Repeat(Repeat::Transient(self.pause(transient_done)))
            }
            None => Decision::Stop,
        }
    }

    /// The pause before transient repeat number `n` (from 0).
    fn pause(&self, n: u32) -> Duration {
        self.first_pause
            .saturating_mul(2u32.saturating_pow(n))
            .min(self.max_pause)
    }
}

/// Why a call is sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Refused by the rate limit: the bucket paces the repeat.
    Rate,
    /// Refused by the operating-time budget: wait for the method's reset.
    Operating,
    /// A transient failure of a repeatable call: pause this long.
    Transient(Duration),
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again.
    Repeat(Repeat),
    /// Return the error.
    Stop,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, DecodeError};
    use crate::NoMethodError;

    fn api(code: &str, status: u16) -> Error<NoMethodError> {
        Error::from_api(ApiError {
            code: code.into(),
            description: String::new(),
            status,
        })
    }

    #[test]
    fn refusals_always_transient_failures_for_reads_only() {
        let p = RetryPolicy::default();
        let rate = api("QUERY_LIMIT_EXCEEDED", 503);
        let op = api("OPERATION_TIME_LIMIT", 429);
        assert_eq!(p.decide(&rate, false, 9), Decision::Repeat(Repeat::Rate));
        assert_eq!(p.decide(&op, false, 9), Decision::Repeat(Repeat::Operating));
        let bad_gateway: Error<NoMethodError> = Error::Decode(DecodeError {
            status: 502,
            content_type: None,
            reason: String::new(),
            body: String::new(),
            body_len: 0,
            cut: false,
        });
        assert_eq!(p.decide(&bad_gateway, false, 0), Decision::Stop);
        assert!(matches!(
            p.decide(&bad_gateway, true, 0),
            Decision::Repeat(Repeat::Transient(_))
        ));
        assert_eq!(p.decide(&bad_gateway, true, 2), Decision::Stop);
        let writes = RetryPolicy {
            repeat_writes: true,
            ..p
        };
        assert!(matches!(
            writes.decide(&bad_gateway, false, 0),
            Decision::Repeat(_)
        ));
        assert_eq!(
            p.decide(&api("CHAT_ID_EMPTY", 400), true, 0),
            Decision::Stop
        );
        assert_eq!(
            p.decide(&api("OVERLOAD_LIMIT", 503), true, 0),
            Decision::Stop
        );
    }

    #[test]
    fn pauses_double_up_to_the_cap() {
        let p = RetryPolicy::default();
        let ms: Vec<u128> = (0..6).map(|n| p.pause(n).as_millis()).collect();
        assert_eq!(ms, vec![500, 1000, 2000, 4000, 8000, 8000]);
    }
}
