//! The OAuth server's token answer, typed, and the one request that asks for it (an
//! authorization-code exchange or a refresh).

use super::Tokens;
use crate::__private::lenient;
use crate::error::{ApiError, AuthError, DecodeError};
use crate::secret::Secret;
use crate::transport::Http;
use serde::Deserialize;
use std::time::SystemTime;

/// The status of an application on a portal, as the OAuth server and the portal report it
/// (`L` local, `F` free, `D` demo, `T` trial, `P` paid). Informational: the OAuth server's
/// `app.info` is the trusted source of a payment status.
pub type AppStatus = crate::types::EventAuthStatus;

/// A token answer of the OAuth server: the first pair (authorization-code exchange) or a
/// renewed one (refresh), with what the server says about the portal. The tokens are
/// [`Secret`]s: `Debug` never shows them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TokenGrant {
    /// The access and refresh tokens.
    pub tokens: Tokens,
    /// Unix time at which the access token expires: the answer's `expires`, or the time the
    /// answer was read plus `expires_in`.
    pub expires_at: Option<i64>,
    /// `expires_in`: the access token's lifetime in seconds (an hour).
    pub expires_in: Option<i64>,
    /// `client_endpoint`: the portal's REST address (`https://portal.bitrix24.com/rest/`).
    pub client_endpoint: String,
    /// `server_endpoint`: the OAuth server's REST address.
    pub server_endpoint: Option<String>,
    /// `domain`: the OAuth server's domain (not the portal's; the portal's host is in
    /// [`client_endpoint`](Self::client_endpoint)).
    pub domain: Option<String>,
    /// `member_id`: the portal's unique id, which survives a change of its address.
    pub member_id: String,
    /// `scope`: the permissions granted to the application.
    pub scopes: Vec<String>,
    /// `status`: the application's status on the portal.
    pub status: Option<AppStatus>,
    /// `user_id`: the user the tokens act for (sent with refreshes).
    pub user_id: Option<i64>,
}

impl TokenGrant {
    /// The portal's address as `host[:port]`, taken from [`client_endpoint`](Self::client_endpoint).
    pub fn portal_domain(&self) -> Option<String> {
        host_of(&self.client_endpoint)
    }
}

/// `host[:port]` of a URL, lower-cased.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Splits a scope list (`crm,imbot`; event `auth` blocks may use spaces) into its names.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Unix time now, in seconds.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What is traded at the token URL.
pub(crate) enum Grant<'a> {
    /// `grant_type=authorization_code` with the one-time `code`.
    Code(&'a str),
    /// `grant_type=refresh_token` with the single-use refresh token.
    Refresh(&'a Secret),
}

/// The application's keys, as sent to the token URL.
pub(crate) struct Keys<'a> {
    pub(crate) token_url: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) client_secret: &'a Secret,
}

/// Sends one request to the token URL (a `GET` with the parameters in the query, as the OAuth
/// server documents) and reads the answer.
pub(crate) async fn request(
    http: &Http,
    keys: &Keys<'_>,
    grant: Grant<'_>,
) -> Result<RawGrant, AuthError> {
    let (kind, name, value) = match grant {
        Grant::Code(code) => ("authorization_code", "code", code),
        Grant::Refresh(token) => ("refresh_token", "refresh_token", token.expose()),
    };
    let req = http.client.get(keys.token_url).query(&[
        ("grant_type", kind),
        ("client_id", keys.client_id),
        ("client_secret", keys.client_secret.expose()),
        (name, value),
    ]);
    let answer = http.fetch(req).await?;
    parse(answer.status, answer.content_type, &answer.body)
}

/// A token answer read leniently, every field optional; [`RawGrant::tokens`] and
/// [`RawGrant::grant`] say what must be there.
#[derive(Deserialize)]
pub(crate) struct RawGrant {
    #[serde(default, deserialize_with = "lenient")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    expires: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    client_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    server_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    domain: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    member_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    status: Option<AppStatus>,
    #[serde(default, deserialize_with = "lenient")]
    user_id: Option<i64>,
    #[serde(skip)]
    meta: Meta,
}

/// What is needed to describe a bad answer without its body.
#[derive(Default)]
struct Meta {
    status: u16,
    content_type: Option<String>,
    len: usize,
}

impl RawGrant {
    fn fail(&self, reason: &str) -> AuthError {
        AuthError::Decode(DecodeError::redacted(
            self.meta.status,
            self.meta.content_type.clone(),
            reason.to_string(),
            self.meta.len,
        ))
    }

    /// The pair alone (a refresh needs no more).
    pub(crate) fn tokens(&self) -> Result<Tokens, AuthError> {
        match (&self.access_token, &self.refresh_token) {
            (Some(a), Some(r)) if !a.is_empty() && !r.is_empty() => Ok(Tokens::new(a, r)),
            _ => Err(self.fail("the OAuth answer has no token pair")),
        }
    }

    /// The pair and its lifetime (what a refresh needs).
    pub(crate) fn renewed(&self) -> Result<super::Renewed, AuthError> {
        Ok(super::Renewed {
            tokens: self.tokens()?,
            expires_in: self
                .expires_in
                .and_then(|s| u64::try_from(s).ok())
                .map(std::time::Duration::from_secs),
        })
    }

    /// The whole answer: the pair, `member_id` and `client_endpoint` must be there.
    pub(crate) fn grant(self) -> Result<TokenGrant, AuthError> {
        let tokens = self.tokens()?;
        let missing = |what: &str| format!("the OAuth answer has no {what}");
        let Some(member_id) = self.member_id.clone().filter(|m| !m.is_empty()) else {
            return Err(self.fail(&missing("member_id")));
        };
        let Some(client_endpoint) = self.client_endpoint.clone().filter(|c| !c.is_empty()) else {
            return Err(self.fail(&missing("client_endpoint")));
        };
        let expires_at = self
            .expires
            .or_else(|| self.expires_in.map(|s| now_secs().saturating_add(s)));
        Ok(TokenGrant {
            tokens,
            expires_at,
            expires_in: self.expires_in,
            client_endpoint,
            server_endpoint: self.server_endpoint,
            domain: self.domain,
            member_id,
            scopes: self.scope.as_deref().map(split_scopes).unwrap_or_default(),
            status: self.status,
            user_id: self.user_id,
        })
    }
}

/// Reads a token answer: an `error` is [`AuthError::Refused`]; anything that is not JSON is
/// [`AuthError::Decode`] without the body (it may hold tokens).
pub(crate) fn parse(
    status: u16,
    content_type: Option<String>,
    body: &[u8],
) -> Result<RawGrant, AuthError> {
    let meta = Meta {
        status,
        content_type,
        len: body.len(),
    };
    #[derive(Deserialize)]
    struct Refusal {
        #[serde(default, deserialize_with = "lenient")]
        error: Option<String>,
        #[serde(default, deserialize_with = "lenient")]
        error_description: Option<String>,
    }
    let not_json = |meta: Meta| {
        AuthError::Decode(DecodeError::redacted(
            meta.status,
            meta.content_type,
            "the OAuth server did not answer JSON".into(),
            meta.len,
        ))
    };
    let refusal: Refusal = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(_) => return Err(not_json(meta)),
    };
    if let Some(code) = refusal.error.filter(|c| !c.is_empty()) {
        return Err(AuthError::Refused(ApiError {
            code,
            description: refusal.error_description.unwrap_or_default(),
            status,
        }));
    }
    let mut raw: RawGrant = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(_) => return Err(not_json(meta)),
    };
    if !(200..300).contains(&status) {
        raw.meta = meta;
        return Err(raw.fail("the OAuth server answered an error status without an error code"));
    }
    raw.meta = meta;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(status: u16, body: &str) -> Result<TokenGrant, AuthError> {
        parse(status, Some("application/json".into()), body.as_bytes()).and_then(RawGrant::grant)
    }

    #[test]
    fn a_full_answer_is_typed() {
        let g = grant(
            200,
            r#"{"access_token":"acc1","client_endpoint":"https://p.bitrix24.com/rest/",
                "domain":"oauth.bitrix.info","expires_in":3600,"member_id":"m1",
                "refresh_token":"ref1","scope":"crm,imbot","server_endpoint":"https://oauth.bitrix.info/rest/",
                "status":"F","user_id":"7"}"#,
        )
        .unwrap();
        assert_eq!(g.tokens, Tokens::new("acc1", "ref1"));
        assert_eq!(g.member_id, "m1");
        assert_eq!(g.scopes, ["crm", "imbot"]);
        assert_eq!(g.status, Some(AppStatus::F));
        assert_eq!(g.user_id, Some(7));
        assert_eq!(g.portal_domain().as_deref(), Some("p.bitrix24.com"));
        let at = g.expires_at.unwrap();
        assert!(
            (now_secs() + 3590..=now_secs() + 3600).contains(&at),
            "{at}"
        );
        let shown = format!("{g:?}");
        assert!(
            !shown.contains("acc1") && !shown.contains("ref1"),
            "{shown}"
        );
    }

    #[test]
    fn expires_wins_over_expires_in() {
        let g = grant(
            200,
            r#"{"access_token":"a","refresh_token":"r","member_id":"m","client_endpoint":"https://p/rest/","expires":1780319382,"expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(g.expires_at, Some(1780319382));
    }

    #[test]
    fn refusals_and_broken_answers_keep_no_secret() {
        let e = grant(
            400,
            r#"{"error":"invalid_grant","error_description":"used"}"#,
        )
        .unwrap_err();
        let AuthError::Refused(a) = e else {
            panic!("{e:?}")
        };
        assert_eq!((a.code.as_str(), a.status), ("invalid_grant", 400));
        for (status, body, why) in [
            (
                200,
                r#"{"access_token":"sekrit","member_id":"m","client_endpoint":"https://p/"}"#,
                "token pair",
            ),
            (
                200,
                r#"{"access_token":"sekrit","refresh_token":"r2","client_endpoint":"https://p/"}"#,
                "member_id",
            ),
            (
                200,
                r#"{"access_token":"sekrit","refresh_token":"r2","member_id":"m"}"#,
                "client_endpoint",
            ),
            (200, "<html>sekrit</html>", "JSON"),
            (
                502,
                r#"{"access_token":"sekrit","refresh_token":"r2"}"#,
                "error status",
            ),
        ] {
            let e = grant(status, body).unwrap_err();
            let shown = format!("{e:?} {}", crate::error::chain(&e));
            assert!(shown.contains(why), "{shown}");
            assert!(!shown.contains("sekrit"), "{shown}");
        }
    }

    #[test]
    fn scopes_split_on_commas_and_spaces() {
        assert_eq!(split_scopes("crm, imbot  im"), ["crm", "imbot", "im"]);
        assert!(split_scopes("").is_empty());
    }
}
