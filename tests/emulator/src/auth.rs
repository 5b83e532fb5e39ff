//! Who is calling: reading the credentials of a REST request (webhook path,
//! OAuth `auth` token, browser `sessid`) and checking them; the store of
//! issued OAuth tokens.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::errors::{self, ApiError};
use crate::state::ADMIN_USER_ID;

/// The kind of authorization a REST request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// An incoming webhook: `/rest/{user_id}/{code}/{method}`.
    Webhook,
    /// An OAuth access token in the `auth` parameter.
    OAuth,
    /// A browser session (`sessid` without `auth`).
    Session,
    /// No credentials at all.
    None,
}

/// A fresh OAuth token pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// Token for REST calls, sent as the `auth` parameter.
    pub access_token: String,
    /// Single-use token for getting the next pair from the token endpoint.
    pub refresh_token: String,
}

/// Credentials as they appear in a request, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credentials {
    Webhook { user: String, code: String },
    Token(String),
    Session,
    None,
}

impl Credentials {
    /// The kind these credentials would authenticate as.
    pub(crate) fn kind(&self) -> AuthKind {
        match self {
            Credentials::Webhook { .. } => AuthKind::Webhook,
            Credentials::Token(_) => AuthKind::OAuth,
            Credentials::Session => AuthKind::Session,
            Credentials::None => AuthKind::None,
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    pub kind: AuthKind,
    pub user_id: i64,
}

#[derive(Debug)]
struct AccessToken {
    portal: Arc<str>,
    user_id: i64,
    expires_at: Instant,
}

/// How long an authorization code can be exchanged (30 seconds on a portal).
pub(crate) const CODE_TTL: Duration = Duration::from_secs(30);

/// Where a portal is, for the token endpoint's answer.
#[derive(Debug, Clone)]
pub(crate) struct PortalAddress {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
}

/// The OAuth server's memory: issued tokens and authorization codes, each of one portal
/// (by `member_id`); emulators started with [`crate::Emulator::start_sharing_oauth`] share
/// one. Access tokens are remembered after they expire so that an expired one is told apart
/// from an unknown one.
#[derive(Debug)]
pub(crate) struct TokenStore {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, (Arc<str>, i64)>,
    /// Authorization codes: their portal, user and when they stop working.
    codes: HashMap<String, (Arc<str>, i64, Instant)>,
    portals: HashMap<Arc<str>, PortalAddress>,
    ttl: Duration,
}

impl TokenStore {
    pub(crate) fn new(ttl: Duration) -> Self {
        TokenStore {
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            portals: HashMap::new(),
            ttl,
        }
    }

    /// Lifetime of new access tokens.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Makes a portal known to the OAuth server.
    pub(crate) fn add_portal(&mut self, member_id: &str, address: PortalAddress) {
        self.portals.insert(Arc::from(member_id), address);
    }

    /// Where the portal `member_id` is.
    pub(crate) fn portal(&self, member_id: &str) -> Option<&PortalAddress> {
        self.portals.get(member_id)
    }

    fn key(&self, member_id: &str) -> Arc<str> {
        self.portals
            .get_key_value(member_id)
            .map_or_else(|| Arc::from(member_id), |(k, _)| Arc::clone(k))
    }

    /// Issues a new pair for a user of a portal.
    pub(crate) fn issue(&mut self, portal: &str, user_id: i64) -> Tokens {
        let portal = self.key(portal);
        let tokens = Tokens {
            access_token: random_token(),
            refresh_token: random_token(),
        };
        self.access.insert(
            tokens.access_token.clone(),
            AccessToken {
                portal: Arc::clone(&portal),
                user_id,
                expires_at: Instant::now() + self.ttl,
            },
        );
        self.refresh
            .insert(tokens.refresh_token.clone(), (portal, user_id));
        tokens
    }

    /// Marks every access token of a portal as expired.
    pub(crate) fn expire_all(&mut self, portal: &str) {
        let now = Instant::now();
        for t in self.access.values_mut().filter(|t| &*t.portal == portal) {
            t.expires_at = now;
        }
    }

    /// Checks an access token sent to `portal`: its user, `expired_token`, or
    /// `NO_AUTH_FOUND` (unknown, or another portal's).
    pub(crate) fn check(&self, portal: &str, token: &str) -> Result<i64, ApiError> {
        match self.access.get(token) {
            Some(t) if &*t.portal != portal => Err(errors::NO_AUTH_FOUND),
            None => Err(errors::NO_AUTH_FOUND),
            Some(t) if Instant::now() >= t.expires_at => Err(errors::EXPIRED_TOKEN),
            Some(t) => Ok(t.user_id),
        }
    }

    /// Uses up a refresh token, giving its portal and user; `None` if unknown or used.
    pub(crate) fn redeem_refresh(&mut self, token: &str) -> Option<(Arc<str>, i64)> {
        self.refresh.remove(token)
    }

    /// Issues a one-time authorization code for a user of a portal, valid [`CODE_TTL`].
    pub(crate) fn issue_code(&mut self, portal: &str, user_id: i64) -> String {
        let portal = self.key(portal);
        let code = random_token();
        self.codes
            .insert(code.clone(), (portal, user_id, Instant::now() + CODE_TTL));
        code
    }

    /// Uses up an authorization code, giving its portal and user; `None` if unknown, used or
    /// expired.
    pub(crate) fn redeem_code(&mut self, code: &str) -> Option<(Arc<str>, i64)> {
        let (portal, user_id, until) = self.codes.remove(code)?;
        (Instant::now() < until).then_some((portal, user_id))
    }

    /// Forgets every token and code of a portal (the application was uninstalled): its
    /// access tokens become unknown (`NO_AUTH_FOUND`), refresh tokens and codes
    /// `invalid_grant`.
    pub(crate) fn revoke_all(&mut self, portal: &str) {
        self.access.retain(|_, t| &*t.portal != portal);
        self.refresh.retain(|_, (p, _)| &**p != portal);
        self.codes.retain(|_, (p, _, _)| &**p != portal);
    }
}

/// Checks request credentials against the webhook and the token store.
pub(crate) fn authenticate(
    creds: &Credentials,
    webhook_code: &str,
    portal: &str,
    tokens: &TokenStore,
) -> Result<Caller, ApiError> {
    match creds {
        Credentials::Webhook { user, code } => {
            let user_ok = user.parse::<i64>().ok() == Some(ADMIN_USER_ID);
            if user_ok && code == webhook_code {
                Ok(Caller {
                    kind: AuthKind::Webhook,
                    user_id: ADMIN_USER_ID,
                })
            } else {
                Err(errors::NO_AUTH_FOUND)
            }
        }
        Credentials::Token(token) => tokens.check(portal, token).map(|user_id| Caller {
            kind: AuthKind::OAuth,
            user_id,
        }),
        Credentials::Session => Ok(Caller {
            kind: AuthKind::Session,
            user_id: ADMIN_USER_ID,
        }),
        Credentials::None => Err(errors::NO_AUTH_FOUND),
    }
}

/// A 32-character lowercase alphanumeric token, unpredictable enough for tests.
pub(crate) fn random_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(32);
    let mut round = 0u64;
    while out.len() < 32 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u64(round);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        let mut v = h.finish();
        for _ in 0..8 {
            if out.len() == 32 {
                break;
            }
            out.push(char::from(ALPHABET[(v % 36) as usize]));
            v /= 36;
        }
        round += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_refresh_once() {
        let mut store = TokenStore::new(Duration::from_secs(60));
        let t = store.issue("p1", 1);
        assert_eq!(store.check("p1", &t.access_token), Ok(1));
        assert_eq!(
            store.check("p2", &t.access_token),
            Err(errors::NO_AUTH_FOUND),
            "a token works on its own portal only"
        );
        store.expire_all("p2");
        assert_eq!(store.check("p1", &t.access_token), Ok(1));
        store.expire_all("p1");
        assert_eq!(
            store.check("p1", &t.access_token),
            Err(errors::EXPIRED_TOKEN)
        );
        assert_eq!(store.check("p1", "nope"), Err(errors::NO_AUTH_FOUND));
        assert_eq!(
            store.redeem_refresh(&t.refresh_token),
            Some((Arc::from("p1"), 1))
        );
        assert_eq!(store.redeem_refresh(&t.refresh_token), None);
    }

    #[test]
    fn codes_and_revocation_are_single_use_and_per_portal() {
        let mut store = TokenStore::new(Duration::from_secs(60));
        let code = store.issue_code("p1", 1);
        assert_eq!(store.redeem_code(&code), Some((Arc::from("p1"), 1)));
        assert_eq!(store.redeem_code(&code), None, "a code works once");
        let t = store.issue("p1", 1);
        let other = store.issue("p2", 1);
        let code = store.issue_code("p1", 1);
        store.revoke_all("p1");
        assert_eq!(
            store.check("p1", &t.access_token),
            Err(errors::NO_AUTH_FOUND)
        );
        assert_eq!(store.redeem_refresh(&t.refresh_token), None);
        assert_eq!(store.redeem_code(&code), None);
        assert_eq!(
            store.check("p2", &other.access_token),
            Ok(1),
            "p2 keeps its tokens"
        );
    }

    #[test]
    fn random_tokens_differ() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
