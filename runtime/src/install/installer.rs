//! [`Installer`]: confirms an install request with the OAuth server and produces the
//! [`Installation`] record.

use super::request::{from_event, is_install, normalize_domain, parse};
use super::{InstallError, InstallRequest, Installation, Uninstall};
use crate::events::{self, AppTokens, Limits, ReceivedEvent, Rejection};
use crate::oauth::{host_of, OAuthApp};

/// What [`Installer::receive_event`] made of an event.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AppEvent {
    /// `ONAPPINSTALL`, confirmed with the OAuth server: store the record (merging it into an
    /// existing one of the same portal).
    Installed(Installation),
    /// `ONAPPUNINSTALL`, checked against the portal's stored token.
    Uninstalled(Uninstall),
    /// Any other event, checked against the portal's stored token.
    Other(ReceivedEvent),
}

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

    /// Receives anything a portal POSTs to an event handler, for an application that binds
    /// every event to one URL: `ONAPPINSTALL` (which brings the portal's token, so no stored
    /// token can check it) is confirmed with the OAuth server like an install request; every
    /// other event is checked against the token `tokens` holds for its portal, as
    /// [`events::receive`] does, and `ONAPPUNINSTALL` is read into an [`Uninstall`].
    pub async fn receive_event<T: AppTokens>(
        &self,
        content_type: &str,
        body: &[u8],
        tokens: &T,
    ) -> Result<AppEvent, InstallError> {
        let unverified = events::parse(content_type, body, &self.limits)?;
        if is_install(&unverified) {
            let request = from_event(unverified)?;
            return Ok(AppEvent::Installed(self.verify(request).await?));
        }
        if !unverified.has_token() {
            return Err(Rejection::MissingToken.into());
        }
        let expected = tokens
            .application_token(unverified.portal())
            .await
            .map_err(|e| Rejection::TokenLookup(e.to_string()))?;
        let event = unverified.verify(expected.as_ref())?;
        if event.event.eq_ignore_ascii_case("ONAPPUNINSTALL") {
            return Ok(AppEvent::Uninstalled(Uninstall::from_event(&event)?));
        }
        Ok(AppEvent::Other(event))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AuthError;
    use crate::install::parse;
    use bitrix_emulator::php_query::form_body;
    use bitrix_emulator::{Config, Emulator};
    use serde_json::json;

    fn installer(emu: &Emulator) -> Installer {
        let app = OAuthApp::builder(emu.client_id(), emu.client_secret())
            .token_url(emu.oauth_token_url())
            .build()
            .unwrap();
        Installer::new(app)
    }

    /// A wizard request of the emulated portal with a fresh pair, `member_id` and `DOMAIN`
    /// as given.
    fn wizard(emu: &Emulator, member_id: &str, domain: &str) -> (InstallRequest, String) {
        let t = emu.issue_tokens();
        let body = form_body(&json!({
            "AUTH_ID": t.access_token, "AUTH_EXPIRES": 3600, "REFRESH_ID": t.refresh_token,
            "APPLICATION_TOKEN": "app-tok", "member_id": member_id, "status": "L",
        }));
        let query = format!("DOMAIN={domain}&PROTOCOL=0");
        let limits = Limits::default();
        let req = parse(
            Some(&query),
            "application/x-www-form-urlencoded",
            body.as_bytes(),
            &limits,
        )
        .unwrap();
        (req, t.refresh_token)
    }

    #[tokio::test]
    async fn only_tokens_the_oauth_server_confirms_for_the_named_portal_install() {
        let emu = Emulator::start(Config::default()).await.unwrap();
        let inst = installer(&emu);
        let (req, sent_refresh) = wizard(&emu, &emu.member_id(), &emu.domain());
        let done = inst.verify(req).await.unwrap();
        assert_eq!(done.member_id, emu.member_id());
        assert_eq!(done.domain, emu.domain());
        assert_eq!(done.client_endpoint, emu.rest_url());
        assert_eq!(done.application_token, Some("app-tok".into()));
        assert_ne!(
            done.tokens.refresh_token.expose(),
            sent_refresh,
            "the record holds the confirmed pair"
        );

        let (forged, _) = wizard(&emu, "another-portal", &emu.domain());
        let e = inst.verify(forged).await.unwrap_err();
        assert!(
            matches!(e, InstallError::PortalMismatch("member_id")),
            "{e:?}"
        );
        let (forged, _) = wizard(&emu, &emu.member_id(), "portal.example.com");
        let e = inst.verify(forged).await.unwrap_err();
        assert!(matches!(e, InstallError::PortalMismatch("domain")), "{e:?}");

        let (req, _) = wizard(&emu, &emu.member_id(), &emu.domain());
        let replay = req.clone();
        inst.verify(req).await.unwrap();
        let e = inst.verify(replay).await.unwrap_err();
        assert!(
            matches!(&e, InstallError::Auth(AuthError::Refused(a)) if a.code == "invalid_grant"),
            "a replayed request is refused: {e:?}"
        );
    }
}
