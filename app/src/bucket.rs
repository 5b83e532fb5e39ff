//! One portal's request-rate bucket kept in the registry's database, so that every process of
//! the application (on one machine with SQLite, on several with PostgreSQL) stays under the
//! portal's limit together.
//!
//! The level and its time sit in one row per portal (`bitrix_rate_buckets`). An acquire is one
//! short transaction in the store ([`Store::take_request`]): lock the row, drain it, count the
//! request with [`RateLimit::reserve`] (one level, never refused; the in-process
//! [`LeakyBucket`] keeps a history of sends instead and is up to `drain - 1` requests and the
//! jitter's drain faster per busy spell), write it back, commit; the caller then sleeps outside the transaction until
//! its slot. Times are wall-clock: seconds since the Unix epoch from [`SystemTime`] (SQLite,
//! one machine) or the database server's clock (PostgreSQL), never an `Instant`, which means
//! nothing in another process.
//!
//! When the database fails or its lock is not had within [`BUCKET_LOCK_TIMEOUT`], the call is
//! not lost: the bucket logs a `tracing` warning and paces with an in-process [`LeakyBucket`]
//! that starts full (the shared level is unknown), until the database answers again.

use crate::store::{Store, StoreError};
use bitrix_api::limits::{LeakyBucket, Level, RateLimit, RequestBucket, Wait};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a store waits for a portal's bucket row (or, with SQLite, the database's write
/// lock) before the acquire gives up and the process paces with its own bucket.
pub const BUCKET_LOCK_TIMEOUT: Duration = Duration::from_secs(1);

/// The bound of a whole acquire's database work (connecting included).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A stored level timed further than this after `now` is a clock that stepped back: the
/// level's time is reset to `now` (its count is kept).
const CLOCK_STEP: Duration = Duration::from_secs(1);

/// The work of one acquire, done by a store under the row's lock: the stored level (`None`
/// for a portal without a row yet) at `now` (wall-clock time since the Unix epoch), filled
/// first when the portal refused a request, then one request counted. The level to store and
/// how long the request waits.
pub(crate) fn take(
    limit: &RateLimit,
    stored: Option<Level>,
    now: Duration,
    refused: bool,
) -> (Level, Duration) {
    let mut level = stored.unwrap_or(Level {
        count: 0.0,
        at: now,
    });
    if level.at > now + CLOCK_STEP {
        level.at = now;
    }
    if refused {
        level = limit.fill(level, now);
    }
    limit.reserve(level, now)
}

/// Seconds since the Unix epoch as a time; a broken value (negative, NaN) as the epoch.
#[cfg(feature = "postgres")]
pub(crate) fn from_secs(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or_default()
}

/// A stored level from its columns (seconds since the Unix epoch); a broken value (negative,
/// NaN) counts as an empty bucket.
pub(crate) fn level_from(count: f64, at_secs: f64) -> Level {
    match Duration::try_from_secs_f64(at_secs) {
        Ok(at) if count.is_finite() => Level {
            count: count.max(0.0),
            at,
        },
        _ => Level::default(),
    }
}

/// The wall-clock time now, since the Unix epoch.
pub(crate) fn wall_clock() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// One portal's request bucket in the registry's database: a [`RequestBucket`] that
/// [`crate::Portals::client`] installs on its clients after
/// [`crate::Portals::shared_rate_limit`]. Every client of the portal in every process that
/// shares the database paces against the same level.
pub struct SharedBucket {
    store: Arc<dyn Store>,
    member_id: String,
    limit: RateLimit,
    /// The portal refused a request since the last acquire: the next acquire fills the shared
    /// level first.
    refused: AtomicBool,
    /// Paces this process while the database fails.
    fallback: LeakyBucket,
    /// Whether the last acquire used the fallback.
    degraded: AtomicBool,
}

impl fmt::Debug for SharedBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBucket")
            .field("member_id", &self.member_id)
            .field("limit", &self.limit)
            .field("degraded", &self.degraded.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl SharedBucket {
    /// The bucket of portal `member_id` in `store`, mirroring `limit`.
    pub fn new(store: Arc<dyn Store>, member_id: impl Into<String>, limit: RateLimit) -> Self {
        SharedBucket {
            store,
            member_id: member_id.into(),
            limit,
            refused: AtomicBool::new(false),
            fallback: LeakyBucket::new(limit),
            degraded: AtomicBool::new(false),
        }
    }

    /// The limit it mirrors.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Whether the last acquire paced with the in-process fallback (the database failed).
    pub fn degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    /// Counts one request in the database: how long it waits.
    async fn take_shared(&self, refused: bool) -> Result<Duration, StoreError> {
        let take = self
            .store
            .take_request(&self.member_id, self.limit, refused);
        tokio::time::timeout(ACQUIRE_TIMEOUT, take)
            .await
            .unwrap_or(Err(StoreError::LockTimeout))
    }
}

impl RequestBucket for SharedBucket {
    fn acquire(&self) -> Wait<'_> {
        Box::pin(async move {
            let refused = self.refused.swap(false, Ordering::SeqCst);
            match self.take_shared(refused).await {
                Ok(wait) => {
                    if self.degraded.swap(false, Ordering::SeqCst) {
                        tracing::info!(
                            member_id = %self.member_id,
                            "the shared request bucket answers again"
                        );
                    }
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    wait
                }
                Err(e) => {
                    if !self.degraded.swap(true, Ordering::SeqCst) {
                        tracing::warn!(
                            member_id = %self.member_id,
                            error = %e,
                            "the shared request bucket failed: pacing with this process's own bucket"
                        );
                        // The shared level is unknown: start from a full bucket.
                        self.fallback.refused();
                    }
                    self.fallback.acquire().await
                }
            }
        })
    }

    /// Fills this process's fallback at once, and the shared level with the next acquire (the
    /// client acquires before it repeats the refused request).
    fn refused(&self) {
        self.refused.store(true, Ordering::SeqCst);
        self.fallback.refused();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit() -> RateLimit {
        RateLimit::new(5, 2).with_jitter(Duration::ZERO)
    }

    #[test]
    fn a_new_row_starts_empty_and_counts_like_the_in_process_bucket() {
        let now = Duration::from_secs(1_700_000_000);
        let (mut level, mut waits) = (None, vec![]);
        for _ in 0..6 {
            let (l, w) = take(&limit(), level, now, false);
            level = Some(l);
            waits.push(w.as_millis());
        }
        // Ceiling 5 - (2 - 1) = 4, then one every half second.
        assert_eq!(waits, vec![0, 0, 0, 0, 500, 1000]);
        assert_eq!(level.unwrap().at, now);
    }

    #[test]
    fn a_refusal_fills_before_counting() {
        let now = Duration::from_secs(1_700_000_000);
        let (_, w) = take(&limit(), None, now, true);
        assert_eq!(w.as_millis(), 500);
    }

    #[test]
    fn a_clock_stepped_back_does_not_stall_the_bucket() {
        let now = Duration::from_secs(1_700_000_000);
        let stored = Level {
            count: 1.0,
            at: now + Duration::from_secs(3600),
        };
        let (l, w) = take(&limit(), Some(stored), now, false);
        assert_eq!((l.count, l.at, w), (2.0, now, Duration::ZERO));
        // A small skew is kept: the wait includes it.
        let stored = Level {
            count: 4.0,
            at: now + Duration::from_millis(100),
        };
        let (_, w) = take(&limit(), Some(stored), now, false);
        assert_eq!(w.as_millis(), 600);
    }

    #[test]
    fn broken_stored_values_read_as_an_empty_bucket() {
        assert_eq!(level_from(f64::NAN, 5.0), Level::default());
        assert_eq!(level_from(1.0, -5.0), Level::default());
        assert_eq!(
            level_from(-1.0, 2.5),
            Level {
                count: 0.0,
                at: Duration::from_millis(2500)
            }
        );
    }
}
