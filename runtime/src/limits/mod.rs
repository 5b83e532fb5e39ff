//! Client-side pacing for the portal's limits: the request-rate leaky bucket
//! ([`RequestBucket`], [`LeakyBucket`]), the per-method operating-time budget and the rule
//! for repeating calls ([`RetryPolicy`]).

mod bucket;
mod budget;
mod retry;
mod schedule;
mod stats;

pub use bucket::{LeakyBucket, Level, RateLimit, RequestBucket, Wait};
pub(crate) use budget::Budgets;
pub use retry::RetryPolicy;
pub(crate) use retry::{Decision, Repeat};
pub use stats::LimitStats;
pub(crate) use stats::Stats;
