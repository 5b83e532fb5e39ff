//! Checking an event's `auth[application_token]` against the one stored for its portal.

use crate::Secret;
use std::future::Future;

/// The portal an event names in its `auth` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Portal<'a> {
    /// `auth[member_id]`: the portal's unique id.
    pub member_id: Option<&'a str>,
    /// `auth[domain]`: the portal's address, such as `example.bitrix24.com`.
    pub domain: Option<&'a str>,
}

/// A failure of the token registry itself (a database that cannot be reached, say), as
/// opposed to a portal it does not know.
pub type LookupError = Box<dyn std::error::Error + Send + Sync>;

/// Where the expected `application_token` of each portal comes from. The application receives
/// it with `ONAPPINSTALL` and stores it; one service may serve many portals.
///
/// Asynchronous, so that an implementation can ask a database. [`FixedToken`] serves a single
/// portal (or a local application) from one configured token.
///
/// ```
/// use bitrix_api::events::{AppTokens, LookupError, Portal};
/// use bitrix_api::Secret;
/// use std::collections::HashMap;
///
/// struct Registry(HashMap<String, Secret>);
///
/// impl AppTokens for Registry {
///     async fn application_token(&self, portal: Portal<'_>) -> Result<Option<Secret>, LookupError> {
///         Ok(portal.member_id.and_then(|id| self.0.get(id)).cloned())
///     }
/// }
/// ```
pub trait AppTokens: Send + Sync {
    /// The token expected from `portal`; `Ok(None)` when the portal is unknown.
    fn application_token(
        &self,
        portal: Portal<'_>,
    ) -> impl Future<Output = Result<Option<Secret>, LookupError>> + Send;
}

/// One token for every portal: a local application, or a service for one portal.
#[derive(Debug, Clone)]
pub struct FixedToken(Secret);

impl FixedToken {
    /// Expects `token` from every event.
    pub fn new(token: impl Into<Secret>) -> Self {
        FixedToken(token.into())
    }
}

impl AppTokens for FixedToken {
    fn application_token(
        &self,
        _portal: Portal<'_>,
    ) -> impl Future<Output = Result<Option<Secret>, LookupError>> + Send {
        std::future::ready(Ok(Some(self.0.clone())))
    }
}

impl<T: AppTokens> AppTokens for &T {
    fn application_token(
        &self,
        portal: Portal<'_>,
    ) -> impl Future<Output = Result<Option<Secret>, LookupError>> + Send {
        (**self).application_token(portal)
    }
}

/// Whether `received` equals `expected`, in time that depends only on the length of `received`
/// (which the sender knows anyway): every byte is compared, with no exit at the first
/// difference, and the expected length is folded in without branching on it. An empty
/// `expected` matches nothing.
pub fn tokens_match(received: &[u8], expected: &[u8]) -> bool {
    if expected.is_empty() {
        return false;
    }
    let mut diff = u64::from(received.len() != expected.len());
    for (i, r) in received.iter().enumerate() {
        // `i % len` keeps the index in bounds without a branch on the expected length.
        let e = expected[i % expected.len()];
        diff |= u64::from(r ^ e);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_every_byte_and_the_length_agree() {
        assert!(tokens_match(b"abc123", b"abc123"));
        assert!(!tokens_match(b"abc124", b"abc123"));
        assert!(!tokens_match(b"xbc123", b"abc123"));
        assert!(!tokens_match(b"abc", b"abc123"));
        assert!(
            !tokens_match(b"abc123abc123", b"abc123"),
            "a repeat is not a match"
        );
        assert!(!tokens_match(b"", b"abc123"));
        assert!(
            !tokens_match(b"", b""),
            "an empty expected token matches nothing"
        );
    }
}
