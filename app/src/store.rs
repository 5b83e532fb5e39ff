//! The storage side of the registry: one trait, its errors, and the refresh decision both
//! database stores share.

use crate::portal::Portal;
use bitrix_api::install::Installation;
use bitrix_api::oauth::Renewed;
use bitrix_api::{AuthError, RateLimit, Secret, Tokens};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// The future a [`Store`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Spends a refresh token at the OAuth server; a [`Store::refresh`] calls it while it holds the
/// portal's lock.
pub type RenewFn<'a> =
    Box<dyn FnOnce(Secret) -> BoxFuture<'a, Result<Renewed, AuthError>> + Send + 'a>;

/// Where the registry keeps its portals. [`crate::SqliteStore`] and (feature `postgres`)
/// [`crate::PgStore`] implement it; an implementation must make [`Store::refresh`] single-flight
/// across every process that shares it.
pub trait Store: Send + Sync {
    /// Records an installation. A repeated one updates the same record, keeps the
    /// application's values and marks the portal active again.
    fn install<'a>(
        &'a self,
        installation: &'a Installation,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The portal `member_id`, or `None` when it is not installed.
    fn get<'a>(&'a self, member_id: &'a str) -> BoxFuture<'a, Result<Option<Portal>, StoreError>>;

    /// Every installed portal, by `member_id`.
    fn list(&self) -> BoxFuture<'_, Result<Vec<Portal>, StoreError>>;

    /// Forgets the portal's tokens; its values too unless `keep_values`. Whether it was there.
    fn uninstall<'a>(
        &'a self,
        member_id: &'a str,
        keep_values: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Sets (or, with `None`, removes) one of the application's values for an installed portal.
    fn set_value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
        value: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// One of the application's values for a portal (kept ones of an uninstalled portal too).
    fn value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>>;

    /// The pair that follows `stale` (the refresh token a caller saw expire), single-flight:
    /// under the portal's row lock, the stored pair when another process already renewed it,
    /// else `renew`'s pair, stored before the lock is released. A refusal of the refresh token
    /// marks the portal as needing reinstallation.
    fn refresh<'a>(
        &'a self,
        member_id: &'a str,
        stale: &'a Secret,
        renew: RenewFn<'a>,
    ) -> BoxFuture<'a, Result<Tokens, RefreshError>>;

    /// Counts one request in the portal's shared request bucket (see [`crate::SharedBucket`])
    /// and returns how long it waits before it is sent. One short transaction under the
    /// bucket row's lock, waiting at most [`crate::BUCKET_LOCK_TIMEOUT`] for it; with
    /// `refused`, the portal refused a request since, and the level is filled first. The
    /// default keeps no bucket and fails, so that the caller paces on its own.
    fn take_request<'a>(
        &'a self,
        member_id: &'a str,
        limit: RateLimit,
        refused: bool,
    ) -> BoxFuture<'a, Result<Duration, StoreError>> {
        let _ = (member_id, limit, refused);
        Box::pin(async {
            Err(StoreError::Database(
                "this store keeps no request buckets".into(),
            ))
        })
    }
}

/// A failure of the store itself. Never holds a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// No portal with this `member_id` is installed.
    NotInstalled(String),
    /// The portal's lock was not had within the store's lock timeout.
    LockTimeout,
    /// The database failed (cannot open, I/O, a broken query), in words.
    Database(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotInstalled(m) => write!(f, "no portal with member_id {m} is installed"),
            StoreError::LockTimeout => f.write_str("the portal's lock was not had in time"),
            StoreError::Database(e) => write!(f, "the registry's database failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Why [`Store::refresh`] gave no pair.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RefreshError {
    /// The portal must be installed again: its refresh token was refused (now or before).
    NeedsReinstall {
        /// Why, in words.
        reason: String,
    },
    /// The OAuth server could not be asked, or failed (the stored pair is unchanged).
    Auth(AuthError),
    /// The store failed (the stored pair is unchanged).
    Store(StoreError),
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshError::NeedsReinstall { reason } => {
                write!(f, "the portal needs reinstalling: {reason}")
            }
            RefreshError::Auth(e) => f.write_str(&chain(e)),
            RefreshError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RefreshError {}

/// An error and its sources, joined with `: `.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        out.push_str(": ");
        out.push_str(&s.to_string());
        next = s.source();
    }
    out
}

impl From<StoreError> for RefreshError {
    fn from(e: StoreError) -> Self {
        RefreshError::Store(e)
    }
}

/// The token state of a portal, read under its lock.
#[derive(Debug)]
pub(crate) struct Locked {
    pub(crate) tokens: Tokens,
    pub(crate) expires_at: Option<SystemTime>,
    /// `Some` when the portal needs reinstalling.
    pub(crate) reinstall_reason: Option<String>,
}

/// What a store does once it holds the lock.
#[derive(Debug)]
pub(crate) enum Plan {
    /// Hand out the stored pair (another process renewed it); nothing to write.
    Use(Tokens),
    /// Fail without asking the OAuth server.
    Fail(RefreshError),
    /// Spend this refresh token.
    Renew(Secret),
}

/// A stored pair this close to its expiry is renewed rather than handed out.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// Decides under the lock: `None` is a portal that is not installed.
pub(crate) fn plan(
    member_id: &str,
    locked: Option<Locked>,
    stale: &Secret,
    now: SystemTime,
) -> Plan {
    let Some(locked) = locked else {
        return Plan::Fail(RefreshError::Store(StoreError::NotInstalled(
            member_id.into(),
        )));
    };
    if let Some(reason) = locked.reinstall_reason {
        return Plan::Fail(RefreshError::NeedsReinstall { reason });
    }
    let fresh = locked.expires_at.is_none_or(|at| at > now + EXPIRY_MARGIN);
    if locked.tokens.refresh_token != *stale && fresh {
        Plan::Use(locked.tokens)
    } else {
        Plan::Renew(locked.tokens.refresh_token)
    }
}

/// What a store writes after asking the OAuth server.
#[derive(Debug)]
pub(crate) enum Settle {
    /// Store the new pair and its expiry, then hand it out.
    Store(Tokens, Option<SystemTime>),
    /// Mark the portal as needing reinstallation with this reason, then fail.
    MarkReinstall(String),
    /// Write nothing (roll back) and fail: the next refresh may succeed.
    Fail(AuthError),
}

/// Sorts the OAuth server's answer. Only `invalid_grant` (the refresh token is unknown, used or
/// expired) condemns the portal; a refused client id or secret is the application's own
/// configuration and leaves the portal as it is.
pub(crate) fn settle(answer: Result<Renewed, AuthError>, now: SystemTime) -> Settle {
    match answer {
        Ok(r) => Settle::Store(r.tokens, r.expires_in.map(|d| now + d)),
        Err(AuthError::Refused(a)) if a.code == "invalid_grant" => {
            let mut reason = format!("the OAuth server refused the refresh token ({})", a.code);
            if !a.description.is_empty() {
                reason.push_str(": ");
                reason.push_str(&a.description);
            }
            Settle::MarkReinstall(reason)
        }
        Err(e) => Settle::Fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitrix_api::ApiError;

    fn locked(refresh: &str, expires_in: Option<u64>, reason: Option<&str>) -> Locked {
        Locked {
            tokens: Tokens::new("a", refresh),
            expires_at: expires_in.map(|s| SystemTime::now() + Duration::from_secs(s)),
            reinstall_reason: reason.map(String::from),
        }
    }

    #[test]
    fn plans_use_the_stored_pair_only_when_another_renewed_it_and_it_is_fresh() {
        let now = SystemTime::now();
        let stale = Secret::new("r1");
        assert!(
            matches!(plan("m", Some(locked("r2", Some(3600), None)), &stale, now), Plan::Use(t) if t.refresh_token.expose() == "r2")
        );
        assert!(matches!(
            plan("m", Some(locked("r2", None, None)), &stale, now),
            Plan::Use(_)
        ));
        assert!(
            matches!(plan("m", Some(locked("r1", Some(3600), None)), &stale, now), Plan::Renew(r) if r.expose() == "r1")
        );
        // Renewed by another, but that pair is about to expire too: renew it.
        assert!(
            matches!(plan("m", Some(locked("r2", Some(5), None)), &stale, now), Plan::Renew(r) if r.expose() == "r2")
        );
        assert!(
            matches!(plan("m", Some(locked("r1", None, Some("gone"))), &stale, now), Plan::Fail(RefreshError::NeedsReinstall { reason }) if reason == "gone")
        );
        assert!(
            matches!(plan("m", None, &stale, now), Plan::Fail(RefreshError::Store(StoreError::NotInstalled(m))) if m == "m")
        );
    }

    #[test]
    fn only_invalid_grant_condemns_the_portal() {
        let now = SystemTime::now();
        let refused = |code: &str| {
            Err(AuthError::Refused(ApiError {
                code: code.into(),
                description: "no".into(),
                status: 400,
            }))
        };
        assert!(
            matches!(settle(refused("invalid_grant"), now), Settle::MarkReinstall(r) if r.contains("(invalid_grant): no"))
        );
        assert!(matches!(
            settle(refused("invalid_client"), now),
            Settle::Fail(_)
        ));
        let ok = Ok(Renewed {
            tokens: Tokens::new("a2", "r2"),
            expires_in: Some(Duration::from_secs(3600)),
        });
        assert!(
            matches!(settle(ok, now), Settle::Store(t, Some(at)) if t.refresh_token.expose() == "r2" && at == now + Duration::from_secs(3600))
        );
    }
}
