//! [`Installation`]: what an application keeps about one portal it is installed on.

use super::InstallError;
use crate::oauth::{AppStatus, OAuthApp, Tokens};
use crate::{Client, ClientBuilder, Secret};

/// One portal the application is installed on: who it is, where to call it, the token pair,
/// and the `application_token` its events must carry. The record an install handler produces
/// and a registry stores, keyed by [`member_id`](Self::member_id). Tokens are [`Secret`]s:
/// `Debug` never shows them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Installation {
    /// The portal's unique id (it survives a change of the portal's address).
    pub member_id: String,
    /// The portal's address, `host[:port]` (`example.bitrix24.com`).
    pub domain: String,
    /// The portal's REST address (`https://example.bitrix24.com/rest/`).
    pub client_endpoint: String,
    /// The OAuth server's REST address, as the portal reported it.
    pub server_endpoint: Option<String>,
    /// The current token pair.
    pub tokens: Tokens,
    /// Unix time at which the access token expires.
    pub expires_at: Option<i64>,
    /// The token every event of this portal carries (`None` until an install request that
    /// carries it, such as `ONAPPINSTALL`, was received).
    pub application_token: Option<Secret>,
    /// The permissions granted to the application.
    pub scopes: Vec<String>,
    /// The application's status on the portal (local, free, demo, trial, paid).
    pub status: Option<AppStatus>,
    /// The user the tokens act for (the one who installed the application).
    pub user_id: Option<i64>,
    /// The language of the portal or of the installing user, when sent.
    pub language: Option<String>,
}

impl Installation {
    /// A record with the given identity, address and pair, and every optional field unset
    /// (for a registry reading a stored record back, or a test); set the others by field.
    pub fn new(
        member_id: impl Into<String>,
        domain: impl Into<String>,
        client_endpoint: impl Into<String>,
        tokens: Tokens,
    ) -> Self {
        Installation {
            member_id: member_id.into(),
            domain: domain.into(),
            client_endpoint: client_endpoint.into(),
            server_endpoint: None,
            tokens,
            expires_at: None,
            application_token: None,
            scopes: Vec::new(),
            status: None,
            user_id: None,
            language: None,
        }
    }

    /// Folds a later install request of the same portal into this record, so that a repeated
    /// install keeps one record: the later tokens, expiry and addresses win, and values the
    /// later one lacks (the `application_token` when the later request was the install wizard,
    /// say) are kept. A different `member_id` is [`InstallError::DifferentPortal`] and changes
    /// nothing.
    pub fn merge(&mut self, later: Installation) -> Result<(), InstallError> {
        if later.member_id != self.member_id {
            return Err(InstallError::DifferentPortal);
        }
        let Installation {
            member_id: _,
            domain,
            client_endpoint,
            server_endpoint,
            tokens,
            expires_at,
            application_token,
            scopes,
            status,
            user_id,
            language,
        } = later;
        self.domain = domain;
        self.client_endpoint = client_endpoint;
        self.tokens = tokens;
        self.expires_at = expires_at;
        self.server_endpoint = server_endpoint.or(self.server_endpoint.take());
        self.application_token = application_token.or(self.application_token.take());
        if !scopes.is_empty() {
            self.scopes = scopes;
        }
        self.status = status.or(self.status.take());
        self.user_id = user_id.or(self.user_id.take());
        self.language = language.or(self.language.take());
        Ok(())
    }

    /// A builder for a client of this portal with this record's tokens and `app`'s keys
    /// (add a [`TokenStore`](crate::TokenStore) to keep the renewed pairs).
    pub fn client_builder(&self, app: &OAuthApp) -> ClientBuilder {
        Client::oauth_builder(app.config_for(&self.client_endpoint), self.tokens.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(member: &str, access: &str) -> Installation {
        let mut r = Installation::new(
            member,
            "p.bitrix24.com",
            "https://p.bitrix24.com/rest/",
            Tokens::new(access, format!("{access}-refresh")),
        );
        r.expires_at = Some(1);
        r.scopes = vec!["imbot".into()];
        r.user_id = Some(1);
        r.language = Some("en".into());
        r
    }

    #[test]
    fn a_repeated_install_keeps_one_record_with_the_latest_tokens() {
        let mut first = record("m1", "acc1");
        first.application_token = Some("app-tok".into());
        let mut later = record("m1", "acc2");
        later.language = None;
        later.scopes.clear();
        first.merge(later).unwrap();
        assert_eq!(first.tokens, Tokens::new("acc2", "acc2-refresh"));
        assert_eq!(first.application_token, Some("app-tok".into()));
        assert_eq!(first.language.as_deref(), Some("en"));
        assert_eq!(first.scopes, ["imbot"]);

        let before = first.clone();
        assert!(matches!(
            first.merge(record("m2", "acc3")),
            Err(InstallError::DifferentPortal)
        ));
        assert_eq!(first, before);
        let shown = format!("{first:?}");
        assert!(
            !shown.contains("acc2") && !shown.contains("app-tok"),
            "{shown}"
        );
    }
}
