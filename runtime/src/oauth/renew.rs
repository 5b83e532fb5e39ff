//! The extension point of a token refresh: who obtains the pair that follows an expired one.
//!
//! By default a client asks the OAuth server itself. A [`Renewer`] set with
//! [`crate::ClientBuilder::renewer`] is asked instead, so that a registry shared by several
//! processes can refresh once for all of them (and hand the others the stored pair).

use super::{renew, OAuthConfig, Tokens};
use crate::error::AuthError;
use crate::secret::Secret;
use crate::transport::Http;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future a [`Renewer`] returns.
pub type RenewFuture<'a> = Pin<Box<dyn Future<Output = Result<Tokens, AuthError>> + Send + 'a>>;

/// Obtains the token pair that follows a stale one.
///
/// The client calls it when a call met `expired_token`, at most once at a time per client, and
/// ends the wait at the call's own timeout (dropping the future). An error of kind
/// [`AuthError::Refused`] with a 4xx status, or a [`crate::RenewerError`] marked permanent,
/// stops the client from trying again.
pub trait Renewer: Send + Sync {
    /// The pair that follows `stale` (the pair whose access token expired). `server` asks the
    /// OAuth server with the client's own HTTP settings and the application's credentials.
    fn renew<'a>(&'a self, stale: &'a Tokens, server: OAuthServer<'a>) -> RenewFuture<'a>;
}

/// A new pair as the OAuth server gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renewed {
    /// The new pair.
    pub tokens: Tokens,
    /// How long the new access token lives, when the server said (`expires_in`).
    pub expires_in: Option<Duration>,
}

/// The OAuth server as a client reaches it: the client's HTTP settings (HTTPS policy, body
/// limit, redirects) and the application's credentials.
#[derive(Clone, Copy)]
pub struct OAuthServer<'a> {
    pub(crate) http: &'a Http,
    pub(crate) cfg: &'a OAuthConfig,
}

impl fmt::Debug for OAuthServer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthServer")
            .field("token_url", &self.cfg.token_url)
            .field("client_id", &self.cfg.client_id)
            .finish_non_exhaustive()
    }
}

impl OAuthServer<'_> {
    /// Spends `refresh_token` (single-use) on a new pair: what a client does by default.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<Renewed, AuthError> {
        renew(self.http, self.cfg, refresh_token).await
    }
}
