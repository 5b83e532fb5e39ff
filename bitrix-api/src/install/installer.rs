//! [`Installer`]: confirms an install request with the OAuth server and produces the
//! [`Installation`] record.

use super::request::{normalize_domain, parse};
use super::{InstallError, InstallRequest, Installation};
use crate::events::Limits;
use crate::oauth::{host_of, OAuthApp};

/// Receives install requests for one application: reads them ([`parse`](super::parse)) and
/// confirms them ([`verify`](Self::verify)).
///
/// Anyone can POST an install form, so nothing in it is trusted until the OAuth server,
/// which the application reaches with its own `client_secret`, has confirmed it: the
/// request's refresh token is traded for a new pair, and the answer must name the same
/// `member_id` and a REST address on the same domain as the request. The record then holds
/// the new pair and the OAuth server's `client_endpoint`; the request's own refresh token is
/// used up (tokens are single-use), so store the record.
#[derive(Debug)]
pub struct Installer {
    app: OAuthApp,
    limits: Limits,
}

impl Installer {
    /// An installer for `app`, with the default [`Limits`] on request bodies.
    pub fn new(app: OAuthApp) -> Self {
        Installer {
            app,
            limits: Limits::default(),
        }
    }

    /// Other limits on request bodies.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits on request bodies.
    pub fn body_limits(&self) -> &Limits {
        &self.limits
    }

    /// The application.
    pub fn app(&self) -> &OAuthApp {
        &self.app
    }

    /// Reads and confirms an install request: [`parse`](super::parse), then
    /// [`verify`](Self::verify). `query` is the request's query string, if any.
    pub async fn receive(
        &self,
        query: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<Installation, InstallError> {
        let request = parse(query, content_type, body, &self.limits)?;
        self.verify(request).await
    }

    /// Confirms a request with the OAuth server (see the type's docs) and gives the record.
    pub async fn verify(&self, request: InstallRequest) -> Result<Installation, InstallError> {
        let claimed = request.claimed;
        let grant = self.app.refresh(&claimed.tokens.refresh_token).await?;
        if grant.member_id != claimed.member_id {
            return Err(InstallError::PortalMismatch("member_id"));
        }
        if host_of(&grant.client_endpoint) != Some(normalize_domain(&claimed.domain)) {
            return Err(InstallError::PortalMismatch("domain"));
        }
        let scopes = if grant.scopes.is_empty() {
            claimed.scopes
        } else {
            grant.scopes
        };
        Ok(Installation {
            member_id: grant.member_id,
            domain: normalize_domain(&claimed.domain),
            client_endpoint: grant.client_endpoint,
            server_endpoint: grant.server_endpoint.or(claimed.server_endpoint),
            tokens: grant.tokens,
            expires_at: grant.expires_at,
            application_token: claimed.application_token,
            scopes,
            status: grant.status.or(claimed.status),
            user_id: grant.user_id.or(claimed.user_id),
            language: claimed.language,
        })
    }
}
