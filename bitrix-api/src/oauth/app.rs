//! [`OAuthApp`]: an application's keys and an HTTP client for the OAuth server, for the
//! requests an application makes outside a portal's client (the code exchange, a refresh by
//! hand).

use super::grant::{self, Grant, Keys, TokenGrant};
use super::{OAuthConfig, DEFAULT_TOKEN_URL};
use crate::client::check_url;
use crate::error::{AuthError, ConfigError};
use crate::secret::Secret;
use crate::transport::{Http, HttpSettings, RedirectPolicy};
use std::fmt;
use std::time::Duration;
use tracing::Instrument;

/// The default limit of a token answer's body (a few hundred bytes in practice): 64 KiB.
const TOKEN_BODY_LIMIT: usize = 64 * 1024;

/// An application's keys (`client_id`, `client_secret`) and the OAuth server's token URL, with
/// the HTTP client that talks to it.
///
/// Hardened like a portal's client: redirects are never followed (a 3xx is
/// [`AuthError::Redirect`]), an https token URL is reached over https only, the answer is read
/// up to a body limit (64 KiB by default; [`AuthError::TooLarge`]), and neither `Debug`, nor
/// an error, nor a log line shows the secret, a code or a token.
///
/// ```no_run
/// # async fn run(code: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use bitrix_api::oauth::OAuthApp;
///
/// let app = OAuthApp::new("app.573ad8a0346747.09223434", "client-secret")?;
/// let grant = app.exchange_code(code).await?;      // within 30 s of receiving the code
/// println!("portal {} at {}", grant.member_id, grant.client_endpoint);
/// # Ok(()) }
/// ```
pub struct OAuthApp {
    client_id: String,
    client_secret: Secret,
    token_url: String,
    http: Http,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

/// Settings of an [`OAuthApp`]; [`build`](Self::build) makes it.
#[derive(Debug)]
pub struct OAuthAppBuilder {
    client_id: String,
    client_secret: Secret,
    token_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    body_limit: usize,
}

impl OAuthAppBuilder {
    /// Uses another OAuth server (an emulator, a self-hosted portal). It must be https, except
    /// on a loopback host.
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Time allowed for one request to the OAuth server (default 30 s).
    #[must_use]
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Time allowed to connect (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Most bytes a token answer may have (default 64 KiB).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Checks the token URL and starts the HTTP client.
    pub fn build(self) -> Result<OAuthApp, ConfigError> {
        let url = check_url(&self.token_url, "the OAuth token URL")?;
        let http = Http::new(&HttpSettings {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            redirects: RedirectPolicy::None,
            body_limit: self.body_limit,
            https_only: url.scheme() == "https",
        })
        .map_err(|e| ConfigError(format!("cannot start the HTTP client: {}", e.without_url())))?;
        Ok(OAuthApp {
            client_id: self.client_id,
            client_secret: self.client_secret,
            token_url: self.token_url,
            http,
        })
    }
}

impl OAuthApp {
    /// An application on the default OAuth server ([`DEFAULT_TOKEN_URL`]).
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, ConfigError> {
        Self::builder(client_id, client_secret).build()
    }

    /// Settings for an application, to change before [`OAuthAppBuilder::build`].
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> OAuthAppBuilder {
        OAuthAppBuilder {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_url: DEFAULT_TOKEN_URL.to_string(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            body_limit: TOKEN_BODY_LIMIT,
        }
    }

    /// The OAuth server's token URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// Exchanges a one-time authorization `code` (valid 30 seconds) for the first token pair
    /// (`grant_type=authorization_code`). The answer must carry the pair, `member_id` and
    /// `client_endpoint`; an `error` answer (`invalid_grant` for a used or expired code,
    /// `invalid_client`, `PAYMENT_REQUIRED`, …) is [`AuthError::Refused`].
    pub async fn exchange_code(&self, code: &str) -> Result<TokenGrant, AuthError> {
        self.request(Grant::Code(code))
            .instrument(tracing::info_span!("bitrix.oauth.exchange_code"))
            .await
    }

    /// Trades a refresh token for a new pair (`grant_type=refresh_token`). The refresh token
    /// is single-use: once this returns `Ok`, only the new pair works, so store it.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant, AuthError> {
        self.request(Grant::Refresh(refresh_token))
            .instrument(tracing::info_span!("bitrix.oauth.refresh"))
            .await
    }

    async fn request(&self, grant: Grant<'_>) -> Result<TokenGrant, AuthError> {
        let keys = Keys {
            token_url: &self.token_url,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
        };
        grant::request(&self.http, &keys, grant).await?.grant()
    }

    /// The settings of a portal's OAuth client: this application's keys and token URL, and
    /// the portal's REST address.
    pub fn config_for(&self, client_endpoint: impl Into<String>) -> OAuthConfig {
        OAuthConfig::new(
            client_endpoint,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .token_url(self.token_url.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_and_no_secret_in_debug() {
        let err = OAuthApp::builder("id", "sekrit")
            .token_url("http://oauth.example/oauth/token/")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
        let app = OAuthApp::builder("local.id", "sekrit")
            .token_url("http://127.0.0.1:9/oauth/token/")
            .build()
            .unwrap();
        let shown = format!("{app:?}");
        assert!(
            !shown.contains("sekrit") && !shown.contains("local.id"),
            "{shown}"
        );
        assert_eq!(
            app.config_for("http://127.0.0.1:9/rest/").token_url,
            "http://127.0.0.1:9/oauth/token/"
        );
    }
}
