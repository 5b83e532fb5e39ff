//! Installing the application on the emulated portal, as a portal does: the install handler
//! gets the first tokens (the install wizard's form, or the installation callback, an
//! `ONAPPINSTALL` form), the handler bound to `ONAPPINSTALL` gets the event with the
//! `application_token`, and an uninstall sends `ONAPPUNINSTALL` and revokes every token.

use std::sync::atomic::Ordering;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::json;

use crate::auth::random_token;
use crate::events::{auth_block, post, Delivery};
use crate::oauth::SCOPE;
use crate::php_query::{encode, form_body, Spaces};
use crate::shared::{lock, Shared};
use crate::state::ADMIN_USER_ID;
use crate::wire::clock::unix_secs;

/// How the portal hands the application its first tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstallFlow {
    /// An application without an interface: its install handler gets an `ONAPPINSTALL` form
    /// (`event`, `data[VERSION|ACTIVE|INSTALLED|LANGUAGE_ID]`, `ts`, `auth[…]` with the
    /// tokens and the `application_token`).
    #[default]
    Callback,
    /// An application with an interface: its install page gets the frame's POST, `AUTH_ID`,
    /// `AUTH_EXPIRES`, `REFRESH_ID`, `SERVER_ENDPOINT`, `APPLICATION_TOKEN`,
    /// `APPLICATION_SCOPE`, `member_id`, `status`, `PLACEMENT` in the body and `DOMAIN`,
    /// `PROTOCOL`, `LANG`, `APP_SID` in the query.
    Wizard,
}

/// The application being installed: its handler URLs and how it is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallApp {
    /// The install handler (the "initial installation path" of the application's settings).
    pub handler_url: String,
    /// The handler bound to `ONAPPINSTALL` and `ONAPPUNINSTALL`, if any.
    pub event_url: Option<String>,
    /// Wizard or callback.
    pub flow: InstallFlow,
}

impl InstallApp {
    /// An application without an interface whose install handler is `url`.
    pub fn callback(url: impl Into<String>) -> Self {
        InstallApp {
            handler_url: url.into(),
            event_url: None,
            flow: InstallFlow::Callback,
        }
    }

    /// An application with an install wizard at `url`.
    pub fn wizard(url: impl Into<String>) -> Self {
        InstallApp {
            flow: InstallFlow::Wizard,
            ..Self::callback(url)
        }
    }

    /// Binds `ONAPPINSTALL` and `ONAPPUNINSTALL` to `url`.
    #[must_use]
    pub fn event_handler(mut self, url: impl Into<String>) -> Self {
        self.event_url = Some(url.into());
        self
    }
}

/// What an install delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInstall {
    /// The POST to the install handler.
    pub install: Delivery,
    /// `ONAPPINSTALL` POSTed to the event handler, when one is bound.
    pub event: Option<Delivery>,
}

/// A one-time authorization code, as the portal adds it to the application's `redirect_uri`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorizationCode {
    /// `code`: exchange it at the token endpoint within 30 seconds.
    pub code: String,
    /// `domain`: the portal's address.
    pub domain: String,
    /// `member_id`: the portal's id.
    pub member_id: String,
    /// `scope`: the permissions granted.
    pub scope: String,
}

/// The application's handlers while it is installed.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    pub event_url: Option<String>,
}

/// Installs (or installs again) the application: POSTs the install request with a fresh
/// token pair, then `ONAPPINSTALL` with another to the event handler, if bound.
pub(crate) async fn install(shared: &Shared, app: &InstallApp) -> AppInstall {
    shared.installed.store(true, Ordering::SeqCst);
    *lock(&shared.app) = Some(Installed {
        event_url: app.event_url.clone(),
    });
    let now = unix_secs(SystemTime::now());
    let install = match app.flow {
        InstallFlow::Callback => {
            let body = form_body(&install_event(shared, now));
            post(shared, "ONAPPINSTALL", &app.handler_url, body, 0, "").await
        }
        InstallFlow::Wizard => {
            let (url, body) = wizard_request(shared, &app.handler_url);
            post(shared, "INSTALL", &url, body, 0, "").await
        }
    };
    lock(&shared.deliveries).push(install.clone());
    let mut event = None;
    if let Some(url) = &app.event_url {
        let body = form_body(&install_event(shared, now));
        let d = post(shared, "ONAPPINSTALL", url, body, 0, "").await;
        lock(&shared.deliveries).push(d.clone());
        event = Some(d);
    }
    AppInstall { install, event }
}

/// Uninstalls the application: POSTs `ONAPPUNINSTALL` (with `data[CLEAN]`) to the event
/// handler, if bound, and revokes every token and code.
pub(crate) async fn uninstall(shared: &Shared, clean: bool) -> Result<Option<Delivery>, String> {
    let Some(app) = lock(&shared.app).take() else {
        return Err("the application is not installed".into());
    };
    shared.installed.store(false, Ordering::SeqCst);
    lock(&shared.tokens).revoke_all(&shared.member_id);
    let Some(url) = app.event_url else {
        return Ok(None);
    };
    let now = unix_secs(SystemTime::now());
    let body = form_body(&json!({
        "event": "ONAPPUNINSTALL",
        "data": {"LANGUAGE_ID": "en", "CLEAN": i64::from(clean)},
        "ts": now.to_string(),
        "auth": {
            "domain": shared.host,
            "server_endpoint": format!("{}/oauth/", shared.base_url),
            "client_endpoint": format!("{}/rest/", shared.base_url),
            "member_id": shared.member_id,
            "application_token": shared.application_token,
        },
    }));
    let d = post(shared, "ONAPPUNINSTALL", &url, body, 0, "").await;
    lock(&shared.deliveries).push(d.clone());
    Ok(Some(d))
}

/// A user of the portal authorizes the installed application: a one-time code.
pub(crate) fn authorize(shared: &Shared) -> Result<AuthorizationCode, String> {
    if !shared.installed.load(Ordering::SeqCst) {
        return Err("the application is not installed on this portal".into());
    }
    Ok(AuthorizationCode {
        code: lock(&shared.tokens).issue_code(&shared.member_id, ADMIN_USER_ID),
        domain: shared.host.clone(),
        member_id: shared.member_id.clone(),
        scope: SCOPE.into(),
    })
}

/// An `ONAPPINSTALL` form with a fresh pair of the installing user (the administrator).
fn install_event(shared: &Shared, now: i64) -> serde_json::Value {
    let mut auth = auth_block(shared, ADMIN_USER_ID, now);
    auth["scope"] = SCOPE.into();
    json!({
        "event": "ONAPPINSTALL",
        "data": {"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "en"},
        "ts": now.to_string(),
        "auth": auth,
    })
}

/// The install wizard's request: the handler URL with `DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID`
/// added to its query, and the form body.
fn wizard_request(shared: &Shared, handler_url: &str) -> (String, String) {
    let tokens = lock(&shared.tokens).issue(&shared.member_id, ADMIN_USER_ID);
    let ttl = shared.config.access_token_ttl.as_secs();
    let join = if handler_url.contains('?') { '&' } else { '?' };
    let url = format!(
        "{handler_url}{join}DOMAIN={}&PROTOCOL=0&LANG=en&APP_SID={}",
        encode(&shared.host, Spaces::Plus),
        random_token()
    );
    let body = form_body(&json!({
        "AUTH_ID": tokens.access_token,
        "AUTH_EXPIRES": ttl,
        "REFRESH_ID": tokens.refresh_token,
        "SERVER_ENDPOINT": format!("{}/oauth/", shared.base_url),
        "APPLICATION_TOKEN": shared.application_token,
        "APPLICATION_SCOPE": SCOPE,
        "member_id": shared.member_id,
        "status": "L",
        "PLACEMENT": "DEFAULT",
    }));
    (url, body)
}
