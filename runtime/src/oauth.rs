//! OAuth 2.0 tokens: renewal on `expired_token`, one refresh at a time, and a hook to persist
//! every new pair (refresh tokens are single-use: a pair that is not saved is lost).
//!
//! [`OAuthApp`] talks to the OAuth server on an application's own behalf: it exchanges an
//! authorization code for the first pair and renews a pair by hand, each answer a typed
//! [`TokenGrant`].

mod app;
mod grant;

pub use app::{OAuthApp, OAuthAppBuilder};
pub(crate) use grant::{host_of, now_secs, split_scopes};
pub use grant::{AppStatus, TokenGrant};

use crate::error::{AuthError, TransportError};
use crate::secret::Secret;
use crate::transport::Http;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tracing::Instrument;

mod renew;

pub use renew::{OAuthServer, RenewFuture, Renewed, Renewer};

/// The default OAuth server of Bitrix24.
pub const DEFAULT_TOKEN_URL: &str = "https://oauth.bitrix.info/oauth/token/";

/// An access and refresh token pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    /// Token sent with every call (lives an hour).
    pub access_token: Secret,
    /// Single-use token that buys the next pair.
    pub refresh_token: Secret,
}

impl Tokens {
    /// A pair from its two values.
    pub fn new(access_token: impl Into<Secret>, refresh_token: impl Into<Secret>) -> Self {
        Tokens {
            access_token: access_token.into(),
            refresh_token: refresh_token.into(),
        }
    }
}

/// The future a [`TokenStore`] returns.
pub type StoreFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Where new token pairs are persisted. Called after every refresh, before the call is repeated.
pub trait TokenStore: Send + Sync {
    /// Saves the new pair. An error is logged (without the tokens); the pair stays in use.
    fn save<'a>(&'a self, tokens: &'a Tokens) -> StoreFuture<'a>;
}

/// The OAuth settings of an application.
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    /// The portal's REST endpoint (`client_endpoint`, e.g. `https://portal.bitrix24.com/rest/`).
    pub client_endpoint: String,
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: Secret,
    /// The OAuth server's token URL (default [`DEFAULT_TOKEN_URL`]).
    pub token_url: String,
}

impl OAuthConfig {
    /// Settings with the default OAuth server.
    pub fn new(
        client_endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        OAuthConfig {
            client_endpoint: client_endpoint.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_url: DEFAULT_TOKEN_URL.to_string(),
        }
    }

    /// Uses another OAuth server (a test emulator, a self-hosted portal).
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }
}

/// What a call saw of the token state when it sent its access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Bumped by each successful refresh.
    generation: u64,
    /// Bumped by each failed refresh.
    failures: u64,
}

struct Current {
    tokens: Tokens,
    seen: Seen,
    /// The error of the last failed refresh, shared with the calls that waited on it.
    last_failure: Option<AuthError>,
    /// Set when the OAuth server refused the refresh token itself (a 4xx answer): no later
    /// refresh with it can succeed, so none is tried.
    dead: Option<AuthError>,
}

/// Live token state shared by the clones of a client.
pub(crate) struct TokenState {
    current: RwLock<Current>,
    /// Held while a refresh is under way, so that only one runs.
    refreshing: tokio::sync::Mutex<()>,
    pub(crate) store: Option<Arc<dyn TokenStore>>,
    /// Who obtains a new pair; `None`: the OAuth server, asked directly.
    renewer: Option<Arc<dyn Renewer>>,
}

impl TokenState {
    pub(crate) fn new(
        tokens: Tokens,
        store: Option<Arc<dyn TokenStore>>,
        renewer: Option<Arc<dyn Renewer>>,
    ) -> Self {
        TokenState {
            current: RwLock::new(Current {
                tokens,
                seen: Seen {
                    generation: 0,
                    failures: 0,
                },
                last_failure: None,
                dead: None,
            }),
            refreshing: tokio::sync::Mutex::new(()),
            store,
            renewer,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.current.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Current> {
        self.current.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The access token to send and the state it belongs to.
    pub(crate) fn access(&self) -> (Secret, Seen) {
        let g = self.read();
        (g.tokens.access_token.clone(), g.seen)
    }

    /// The current pair.
    pub(crate) fn tokens(&self) -> Tokens {
        self.read().tokens.clone()
    }

    /// Renews the pair after a call that sent its token in state `seen` met `expired_token`.
    ///
    /// One refresh runs at a time. A call that waited for it takes its outcome: the new pair,
    /// or the same error, without a request of its own. Waiting and refreshing both end by
    /// `deadline`, the calling call's own.
    pub(crate) async fn refresh(
        &self,
        http: &Http,
        cfg: &OAuthConfig,
        seen: Seen,
        deadline: Instant,
    ) -> Result<(), AuthError> {
        let timed_out = || {
            AuthError::Transport(TransportError::timed_out(
                "the token refresh did not end within the call's timeout",
            ))
        };
        let Ok(_guard) = tokio::time::timeout_at(deadline.into(), self.refreshing.lock()).await
        else {
            return Err(timed_out());
        };
        let stale = {
            let g = self.read();
            if g.seen.generation != seen.generation {
                return Ok(()); // someone else refreshed while we waited
            }
            if let Some(dead) = &g.dead {
                return Err(dead.clone());
            }
            if g.seen.failures != seen.failures {
                // A refresh failed while we waited: the same token would fail the same way.
                return Err(g.last_failure.clone().unwrap_or_else(timed_out));
            }
            g.tokens.clone()
        };
        let span = tracing::info_span!("bitrix.oauth.refresh");
        let obtain = async {
            match &self.renewer {
                Some(r) => r.renew(&stale, OAuthServer { http, cfg }).await,
                None => renew(http, cfg, &stale.refresh_token)
                    .await
                    .map(|r| r.tokens),
            }
        };
        let renewed = tokio::time::timeout_at(deadline.into(), obtain)
            .instrument(span.clone())
            .await
            .unwrap_or_else(|_| Err(timed_out()));
        let entered = span.enter();
        let new = match renewed {
            Ok(new) => new,
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "token refresh failed");
                let mut g = self.write();
                g.seen.failures += 1;
                g.last_failure = Some(e.clone());
                if e.is_permanent() {
                    g.dead = Some(e.clone());
                }
                return Err(e);
            }
        };
        {
            let mut g = self.write();
            g.tokens = new.clone();
            g.seen.generation += 1;
            g.last_failure = None;
        }
        tracing::info!("access token renewed");
        drop(entered);
        if let Some(store) = &self.store {
            if let Err(e) = store.save(&new).instrument(span).await {
                tracing::error!(error = %e, "the renewed tokens could not be saved; they stay in memory");
            }
        }
        Ok(())
    }
}

/// Asks the OAuth server for a new pair.
async fn renew(
    http: &Http,
    cfg: &OAuthConfig,
    refresh_token: &Secret,
) -> Result<Renewed, AuthError> {
    let keys = grant::Keys {
        token_url: &cfg.token_url,
        client_id: &cfg.client_id,
        client_secret: &cfg.client_secret,
    };
    grant::request(http, &keys, grant::Grant::Refresh(refresh_token))
        .await?
        .renewed()
}
