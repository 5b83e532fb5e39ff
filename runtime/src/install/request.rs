//! Reading what a portal POSTs at installation: the install wizard's form (`AUTH_ID`,
//! `REFRESH_ID`, …, with `DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID` in the query) or an
//! `ONAPPINSTALL` event (the installation callback of an application without an interface,
//! and the event handler bound to `ONAPPINSTALL`).

use super::{InstallError, Installation};
use crate::__private::lenient;
use crate::events::{self, from_form, FormMap, FormValue, Limits, Rejection, Unverified};
use crate::oauth::{now_secs, split_scopes, AppStatus, Tokens};
use crate::Secret;
use serde::Deserialize;

/// Which kind of install request was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallKind {
    /// The install wizard's first POST (or any page of the application opened in a frame):
    /// the form fields `AUTH_ID`, `AUTH_EXPIRES`, `REFRESH_ID`, `member_id`, `status`,
    /// `PLACEMENT`…, with `DOMAIN`, `PROTOCOL`, `LANG` and `APP_SID` in the query.
    Wizard,
    /// An `ONAPPINSTALL` event: the installation callback of an application without an
    /// interface, or the event handler bound to `ONAPPINSTALL`. It brings the
    /// `application_token`.
    Event,
}

/// An install request, read but not yet confirmed: [`Installer::verify`](super::Installer::verify)
/// asks the OAuth server whether its tokens are real and belong to the portal it names.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InstallRequest {
    /// Which kind of request it was.
    pub kind: InstallKind,
    /// The installation as the request tells it (unconfirmed).
    pub claimed: Installation,
    /// `PLACEMENT` of a wizard request (`DEFAULT` for the application's own page).
    pub placement: Option<String>,
    /// `PLACEMENT_OPTIONS` of a wizard request, as sent: JSON text for widgets (a string
    /// here), or nested form fields (an object).
    pub placement_options: Option<serde_json::Value>,
    /// `APP_SID` of a wizard request: the frame's session id (for the JS library).
    pub app_sid: Option<Secret>,
    /// `data[VERSION]` of `ONAPPINSTALL`: the installed version of the application.
    pub version: Option<String>,
    /// `data[INSTALLED]` of `ONAPPINSTALL`: whether the installation is finished.
    pub installed: Option<bool>,
}

/// Reads an install request (see the [module docs](super)): `query` is the request's query
/// string (without `?`), if any. A form body whose top level has an `event` key is read as an
/// event, which must be `ONAPPINSTALL`; any other form body as the install wizard's. JSON
/// bodies are read as events. The body is checked against `limits` and parsed by the PHP
/// rules of [`events::parse_form`](crate::events::parse_form).
pub fn parse(
    query: Option<&str>,
    content_type: &str,
    body: &[u8],
    limits: &Limits,
) -> Result<InstallRequest, InstallError> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        if body.len() > limits.max_body {
            return Err(Rejection::BodyTooLarge {
                size: body.len(),
                limit: limits.max_body,
            }
            .into());
        }
        let form = events::parse_form(body, limits)?;
        if form.get("event").is_none() {
            let query = events::parse_form(query.unwrap_or("").as_bytes(), limits)?;
            return wizard(form, query);
        }
    }
    event(content_type, body, limits)
}

/// The install wizard's request: the fields of body and query, the query's `DOMAIN`,
/// `PROTOCOL`, `LANG` and `APP_SID` taking precedence.
fn wizard(mut form: FormMap, query: FormMap) -> Result<InstallRequest, InstallError> {
    for key in ["DOMAIN", "PROTOCOL", "LANG", "APP_SID"] {
        if let Some(v) = query.get(key) {
            form.set(key, v.clone());
        }
    }
    let raw: RawWizard = from_form(&FormValue::Map(form))
        .map_err(|_| InstallError::Rejected(Rejection::Payload("the install form".into())))?;
    let domain = normalize_domain(&required(raw.domain, "DOMAIN")?);
    if domain.is_empty() {
        return Err(InstallError::Missing("DOMAIN"));
    }
    let scheme = if raw.protocol == Some(0) {
        "http"
    } else {
        "https"
    };
    let claimed = Installation {
        member_id: required(raw.member_id, "member_id")?,
        client_endpoint: format!("{scheme}://{domain}/rest/"),
        domain,
        server_endpoint: raw.server_endpoint.filter(|s| !s.is_empty()),
        tokens: Tokens::new(
            required(raw.auth_id, "AUTH_ID")?,
            required(raw.refresh_id, "REFRESH_ID")?,
        ),
        expires_at: raw.auth_expires.map(|s| now_secs().saturating_add(s)),
        application_token: raw
            .application_token
            .filter(|t| !t.is_empty())
            .map(Secret::new),
        scopes: raw
            .application_scope
            .as_deref()
            .map(split_scopes)
            .unwrap_or_default(),
        status: raw.status,
        user_id: None,
        language: raw.lang.filter(|l| !l.is_empty()),
    };
    Ok(InstallRequest {
        kind: InstallKind::Wizard,
        claimed,
        placement: raw.placement.filter(|p| !p.is_empty()),
        placement_options: raw
            .placement_options
            .filter(|p| !p.is_null() && p.as_str() != Some("")),
        app_sid: raw.app_sid.filter(|s| !s.is_empty()).map(Secret::new),
        version: None,
        installed: None,
    })
}

/// An `ONAPPINSTALL` event (installation callback or event handler).
fn event(content_type: &str, body: &[u8], limits: &Limits) -> Result<InstallRequest, InstallError> {
    from_event(events::parse(content_type, body, limits)?)
}

/// Whether a parsed event is `ONAPPINSTALL`.
pub(crate) fn is_install(event: &Unverified) -> bool {
    event.event().eq_ignore_ascii_case("ONAPPINSTALL")
}

/// Reads a parsed `ONAPPINSTALL` (any other event is [`InstallError::WrongEvent`]).
pub(crate) fn from_event(unverified: Unverified) -> Result<InstallRequest, InstallError> {
    if !is_install(&unverified) {
        return Err(InstallError::WrongEvent(unverified.event().to_string()));
    }
    if !unverified.has_token() {
        return Err(InstallError::Missing("auth[application_token]"));
    }
    let ev = unverified.trust_own_token()?;
    let data: InstallData = ev.decode()?;
    let auth = ev.auth;
    let domain = normalize_domain(&required(auth.domain, "auth[domain]")?);
    if domain.is_empty() {
        return Err(InstallError::Missing("auth[domain]"));
    }
    let client_endpoint = auth
        .client_endpoint
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("https://{domain}/rest/"));
    let secret = |t: Option<Secret>, name| {
        t.filter(|t| !t.expose().is_empty())
            .ok_or(InstallError::Missing(name))
    };
    let claimed = Installation {
        member_id: required(auth.member_id, "auth[member_id]")?,
        domain,
        client_endpoint,
        server_endpoint: auth.server_endpoint.filter(|s| !s.is_empty()),
        tokens: Tokens {
            access_token: secret(auth.access_token, "auth[access_token]")?,
            refresh_token: secret(auth.refresh_token, "auth[refresh_token]")?,
        },
        expires_at: auth
            .expires
            .or_else(|| auth.expires_in.map(|s| now_secs().saturating_add(s))),
        application_token: auth.application_token,
        scopes: auth.scope.as_deref().map(split_scopes).unwrap_or_default(),
        status: auth.status,
        user_id: auth.user_id,
        language: data.language_id.filter(|l| !l.is_empty()),
    };
    Ok(InstallRequest {
        kind: InstallKind::Event,
        claimed,
        placement: None,
        placement_options: None,
        app_sid: None,
        version: data.version.filter(|v| !v.is_empty()),
        installed: data.installed,
    })
}

fn required(v: Option<String>, name: &'static str) -> Result<String, InstallError> {
    v.filter(|s| !s.trim().is_empty())
        .ok_or(InstallError::Missing(name))
}

/// A portal address as `host[:port]`, lower-cased, without a scheme or a trailing slash.
pub(crate) fn normalize_domain(d: &str) -> String {
    let d = d.trim();
    let d = d
        .strip_prefix("https://")
        .or_else(|| d.strip_prefix("http://"))
        .unwrap_or(d);
    d.trim_end_matches('/').to_ascii_lowercase()
}

#[derive(Deserialize)]
struct RawWizard {
    #[serde(rename = "DOMAIN", default, deserialize_with = "lenient")]
    domain: Option<String>,
    #[serde(rename = "PROTOCOL", default, deserialize_with = "lenient")]
    protocol: Option<i64>,
    #[serde(rename = "LANG", default, deserialize_with = "lenient")]
    lang: Option<String>,
    #[serde(rename = "APP_SID", default, deserialize_with = "lenient")]
    app_sid: Option<String>,
    #[serde(rename = "AUTH_ID", default, deserialize_with = "lenient")]
    auth_id: Option<String>,
    #[serde(rename = "AUTH_EXPIRES", default, deserialize_with = "lenient")]
    auth_expires: Option<i64>,
    #[serde(rename = "REFRESH_ID", default, deserialize_with = "lenient")]
    refresh_id: Option<String>,
    #[serde(rename = "SERVER_ENDPOINT", default, deserialize_with = "lenient")]
    server_endpoint: Option<String>,
    #[serde(rename = "APPLICATION_TOKEN", default, deserialize_with = "lenient")]
    application_token: Option<String>,
    #[serde(rename = "APPLICATION_SCOPE", default, deserialize_with = "lenient")]
    application_scope: Option<String>,
    #[serde(rename = "member_id", default, deserialize_with = "lenient")]
    member_id: Option<String>,
    #[serde(rename = "status", default, deserialize_with = "lenient")]
    status: Option<AppStatus>,
    #[serde(rename = "PLACEMENT", default, deserialize_with = "lenient")]
    placement: Option<String>,
    #[serde(rename = "PLACEMENT_OPTIONS", default, deserialize_with = "lenient")]
    placement_options: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct InstallData {
    #[serde(rename = "VERSION", default, deserialize_with = "lenient")]
    version: Option<String>,
    #[serde(rename = "INSTALLED", default, deserialize_with = "lenient")]
    installed: Option<bool>,
    #[serde(rename = "LANGUAGE_ID", default, deserialize_with = "lenient")]
    language_id: Option<String>,
}
