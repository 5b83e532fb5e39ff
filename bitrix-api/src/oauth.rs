//! OAuth 2.0 tokens: renewal on `expired_token`, one refresh at a time, and a hook to persist
//! every new pair (refresh tokens are single-use: a pair that is not saved is lost).

use crate::error::{ApiError, AuthError, DecodeError, RawAnswer};
use crate::secret::Secret;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

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

/// Live token state shared by the clones of a client.
pub(crate) struct TokenState {
    /// Current pair and its generation (bumped by each refresh).
    current: RwLock<(Tokens, u64)>,
    /// Held while a refresh is under way, so that only one runs.
    refreshing: tokio::sync::Mutex<()>,
    pub(crate) store: Option<Arc<dyn TokenStore>>,
}

impl TokenState {
    pub(crate) fn new(tokens: Tokens, store: Option<Arc<dyn TokenStore>>) -> Self {
        TokenState {
            current: RwLock::new((tokens, 0)),
            refreshing: tokio::sync::Mutex::new(()),
            store,
        }
    }

    /// The access token to send and its generation.
    pub(crate) fn access(&self) -> (Secret, u64) {
        let g = self.current.read().unwrap_or_else(|p| p.into_inner());
        (g.0.access_token.clone(), g.1)
    }

    /// The current pair.
    pub(crate) fn tokens(&self) -> Tokens {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// Renews the pair unless another task already did since generation `seen`.
    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        cfg: &OAuthConfig,
        seen: u64,
    ) -> Result<(), AuthError> {
        let _guard = self.refreshing.lock().await;
        let (refresh_token, generation) = {
            let g = self.current.read().unwrap_or_else(|p| p.into_inner());
            (g.0.refresh_token.clone(), g.1)
        };
        if generation != seen {
            return Ok(()); // someone else refreshed while we waited
        }
        let span = tracing::info_span!("bitrix.oauth.refresh");
        let _e = span.enter();
        let req = http.get(&cfg.token_url).query(&[
            ("grant_type", "refresh_token"),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.expose()),
            ("refresh_token", refresh_token.expose()),
        ]);
        let answer = RawAnswer::fetch(req).await.map_err(AuthError::Transport)?;
        let new = parse_token_answer(answer.status, answer.content_type, &answer.body)?;
        {
            let mut g = self.current.write().unwrap_or_else(|p| p.into_inner());
            *g = (new.clone(), generation + 1);
        }
        tracing::info!("access token renewed");
        if let Some(store) = &self.store {
            if let Err(e) = store.save(&new).await {
                tracing::error!(error = %e, "the renewed tokens could not be saved; they stay in memory");
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn parse_token_answer(
    status: u16,
    content_type: Option<String>,
    body: &[u8],
) -> Result<Tokens, AuthError> {
    // The body of a token answer holds secrets: it is never kept in an error.
    let fail = |reason: &str| {
        AuthError::Decode(DecodeError {
            status,
            content_type: content_type.clone(),
            reason: reason.to_string(),
            body: "<redacted>".into(),
        })
    };
    let a: TokenAnswer =
        serde_json::from_slice(body).map_err(|_| fail("the OAuth server did not answer JSON"))?;
    if let Some(code) = a.error {
        return Err(AuthError::Refused(ApiError {
            code,
            description: a.error_description.unwrap_or_default(),
            status,
        }));
    }
    match (a.access_token, a.refresh_token) {
        (Some(acc), Some(refr)) if (200..300).contains(&status) => Ok(Tokens::new(acc, refr)),
        _ => Err(fail("the OAuth answer has no token pair")),
    }
}
