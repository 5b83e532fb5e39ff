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
        .map_err(|e| ConfigError(format!("cannot start the HTTP client: {e}")))?;
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
    use bitrix_emulator::{Config, Emulator};

    fn app_for(emu: &Emulator) -> OAuthApp {
        OAuthApp::builder(emu.client_id(), emu.client_secret())
            .token_url(emu.oauth_token_url())
            .build()
            .unwrap()
    }

    fn refused_code(e: &AuthError) -> Option<(&str, u16)> {
        match e {
            AuthError::Refused(a) => Some((a.code.as_str(), a.status)),
            _ => None,
        }
    }

    #[tokio::test]
    async fn a_code_buys_the_first_pair_once_and_refresh_tokens_are_single_use() {
        let emu = Emulator::start(Config::default()).await.unwrap();
        let app = app_for(&emu);
        let code = emu.authorize().unwrap();
        let grant = app.exchange_code(&code.code).await.unwrap();
        assert_eq!(grant.member_id, emu.member_id());
        assert_eq!(grant.client_endpoint, emu.rest_url());
        assert_eq!(grant.portal_domain(), Some(emu.domain()));
        assert!(grant.expires_at.is_some() && !grant.scopes.is_empty());

        let again = app.exchange_code(&code.code).await.unwrap_err();
        assert_eq!(
            refused_code(&again),
            Some(("invalid_grant", 400)),
            "{again:?}"
        );

        let renewed = app.refresh(&grant.tokens.refresh_token).await.unwrap();
        assert_ne!(renewed.tokens, grant.tokens);
        let used = app.refresh(&grant.tokens.refresh_token).await.unwrap_err();
        assert_eq!(
            refused_code(&used),
            Some(("invalid_grant", 400)),
            "{used:?}"
        );
        let shown = format!("{used:?} {}", crate::error::chain(&used));
        assert!(
            !shown.contains(grant.tokens.refresh_token.expose())
                && !shown.contains(&emu.client_secret())
                && !shown.contains(&code.code),
            "{shown}"
        );

        let wrong = OAuthApp::builder(emu.client_id(), "not-the-secret")
            .token_url(emu.oauth_token_url())
            .build()
            .unwrap();
        let e = wrong
            .exchange_code(&emu.authorize().unwrap().code)
            .await
            .unwrap_err();
        assert_eq!(refused_code(&e), Some(("invalid_client", 401)), "{e:?}");
    }

    /// A token URL that answers with `answer` whatever it is asked.
    async fn hostile(answer: axum::response::Response<axum::body::Body>) -> String {
        use std::sync::{Arc, Mutex};
        let answer = Arc::new(Mutex::new(Some(answer)));
        let app = axum::Router::new().fallback(move || {
            let answer = Arc::clone(&answer);
            async move { answer.lock().unwrap().take().unwrap_or_default() }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/oauth/token/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn redirects_are_not_followed_and_big_answers_are_cut() {
        let redirect = axum::response::Response::builder()
            .status(302)
            .header("location", "https://evil.example/steal?code=x")
            .body(axum::body::Body::empty())
            .unwrap();
        let app = OAuthApp::builder("id", "sekrit")
            .token_url(hostile(redirect).await)
            .build()
            .unwrap();
        let e = app.exchange_code("the-code").await.unwrap_err();
        let AuthError::Redirect(r) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(r.to.as_deref(), Some("https://evil.example"));

        let big = axum::response::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(format!(
                "{{\"access_token\":\"{}\"}}",
                "a".repeat(100_000)
            )))
            .unwrap();
        let app = OAuthApp::builder("id", "sekrit")
            .token_url(hostile(big).await)
            .build()
            .unwrap();
        let e = app.exchange_code("the-code").await.unwrap_err();
        assert!(matches!(e, AuthError::TooLarge(_)), "{e:?}");
    }

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
