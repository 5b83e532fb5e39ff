//! The emulator installs an application as a portal does, and the application's handlers
//! (the crate's `install::router` and a framework-free event handler) end with a confirmed
//! `Installation`, make a typed call with its tokens, and forget the portal on uninstall.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use bitrix_api::events::{AppTokens, LookupError, Portal};
use bitrix_api::imopenlines::DialogGet;
use bitrix_api::install::{self, AppEvent, Installation, Installer, Uninstall};
use bitrix_api::oauth::OAuthApp;
use bitrix_api::{AuthError, Error, Secret};
use bitrix_emulator::{Config, Emulator, InstallApp};

/// The application's portals, keyed by `member_id`; a repeated install merges into one record.
#[derive(Default)]
struct Registry {
    portals: Mutex<HashMap<String, Installation>>,
    uninstalls: Mutex<Vec<Uninstall>>,
}

impl Registry {
    fn store(&self, installation: Installation) -> Result<(), String> {
        let mut portals = self.portals.lock().unwrap();
        match portals.get_mut(&installation.member_id) {
            Some(known) => known.merge(installation).map_err(|e| e.to_string()),
            None => {
                portals.insert(installation.member_id.clone(), installation);
                Ok(())
            }
        }
    }

    fn get(&self, member_id: &str) -> Option<Installation> {
        self.portals.lock().unwrap().get(member_id).cloned()
    }

    fn len(&self) -> usize {
        self.portals.lock().unwrap().len()
    }
}

impl AppTokens for Registry {
    async fn application_token(&self, portal: Portal<'_>) -> Result<Option<Secret>, LookupError> {
        Ok(portal
            .member_id
            .and_then(|m| self.get(m))
            .and_then(|i| i.application_token))
    }
}

struct App {
    installer: Installer,
    registry: Arc<Registry>,
}

fn oauth_app(emu: &Emulator) -> OAuthApp {
    OAuthApp::builder(emu.client_id(), emu.client_secret())
        .token_url(emu.oauth_token_url())
        .build()
        .unwrap()
}

/// The event handler, framework-free but for the extractors: `ONAPPINSTALL` is confirmed
/// with the OAuth server and stored; `ONAPPUNINSTALL` (checked against the stored token) drops
/// the portal's tokens, and its record when `CLEAN`.
async fn events(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let received = app
        .installer
        .receive_event(ct, &body, app.registry.as_ref())
        .await;
    match received {
        Ok(AppEvent::Installed(installation)) => match app.registry.store(installation) {
            Ok(()) => StatusCode::OK,
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
        },
        Ok(AppEvent::Uninstalled(gone)) => {
            let member = gone.member_id.clone().unwrap_or_default();
            let mut portals = app.registry.portals.lock().unwrap();
            if gone.clean {
                portals.remove(&member);
            } else if let Some(p) = portals.get_mut(&member) {
                p.tokens = bitrix_api::Tokens::new("", "");
            }
            app.registry.uninstalls.lock().unwrap().push(gone);
            StatusCode::OK
        }
        Ok(_) => StatusCode::OK,
        Err(e) => install::status_of(&e),
    }
}

/// Serves the application on loopback: `/install` (the crate's router) and `/events`.
async fn serve(emu: &Emulator, registry: Arc<Registry>) -> (String, String) {
    let store = Arc::clone(&registry);
    let install_routes = install::router(
        "/install",
        Installer::new(oauth_app(emu)),
        move |installation| {
            let store = Arc::clone(&store);
            async move { store.store(installation) }
        },
    );
    let app = Arc::new(App {
        installer: Installer::new(oauth_app(emu)),
        registry,
    });
    let router = Router::new()
        .route("/events", post(events))
        .with_state(app)
        .merge(install_routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("{base}/install"), format!("{base}/events"))
}

async fn dialog(
    client: &bitrix_api::Client,
) -> Result<(), Error<bitrix_api::imopenlines::DialogGetError>> {
    client.call(DialogGet::new().chat_id(101)).await.map(|_| ())
}

#[tokio::test]
async fn an_installed_app_calls_the_portal_and_forgets_it_on_uninstall() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let registry = Arc::new(Registry::default());
    let (install_url, events_url) = serve(&emu, Arc::clone(&registry)).await;

    let done = emu
        .install_app(&InstallApp::callback(&install_url).event_handler(&events_url))
        .await;
    assert_eq!(done.install.status, Some(200), "{done:?}");
    assert_eq!(
        done.event.as_ref().and_then(|d| d.status),
        Some(200),
        "{done:?}"
    );
    assert_eq!(registry.len(), 1);
    let record = registry
        .get(&emu.member_id())
        .expect("the portal is installed");
    assert_eq!(record.domain, emu.domain());
    assert_eq!(record.client_endpoint, emu.rest_url());
    assert_eq!(
        record.application_token.as_ref().map(Secret::expose),
        Some(emu.application_token().as_str())
    );
    assert!(
        record.scopes.iter().any(|s| s == "imopenlines"),
        "{:?}",
        record.scopes
    );

    // A typed call with the installation's tokens.
    let app = oauth_app(&emu);
    let client = record.client_builder(&app).build().unwrap();
    dialog(&client).await.unwrap();
    let last = emu.requests().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.auth),
        ("imopenlines.dialog.get", bitrix_emulator::AuthKind::OAuth)
    );

    // Installing again keeps one record, with new tokens.
    emu.install_app(&InstallApp::callback(&install_url).event_handler(&events_url))
        .await;
    assert_eq!(registry.len(), 1);
    let again = registry.get(&emu.member_id()).unwrap();
    assert_ne!(again.tokens, record.tokens);
    assert_eq!(again.application_token, record.application_token);

    // Uninstall, keeping the data: the tokens are gone on both sides.
    let gone = emu.uninstall_app(false).await.unwrap().expect("delivered");
    assert_eq!(gone.status, Some(200), "{gone:?}");
    let left = registry.uninstalls.lock().unwrap().pop().unwrap();
    assert_eq!(left.member_id, Some(emu.member_id()));
    assert!(!left.clean);
    let kept = registry.get(&emu.member_id()).expect("the data is kept");
    assert!(kept.tokens.refresh_token.expose().is_empty());
    let e = app.refresh(&again.tokens.refresh_token).await.unwrap_err();
    assert!(
        matches!(&e, AuthError::Refused(a) if a.code == "invalid_grant"),
        "the portal revoked the tokens: {e:?}"
    );
    assert!(dialog(&client).await.is_err(), "calls fail after uninstall");
}

#[tokio::test]
async fn the_install_wizard_and_a_clean_uninstall() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let registry = Arc::new(Registry::default());
    let (install_url, events_url) = serve(&emu, Arc::clone(&registry)).await;

    let done = emu
        .install_app(&InstallApp::wizard(&install_url).event_handler(&events_url))
        .await;
    assert_eq!(done.install.event, "INSTALL");
    assert_eq!(done.install.status, Some(200), "{done:?}");
    let record = registry.get(&emu.member_id()).unwrap();
    assert_eq!(
        record.application_token.as_ref().map(Secret::expose),
        Some(emu.application_token().as_str())
    );
    let client = record.client_builder(&oauth_app(&emu)).build().unwrap();
    dialog(&client).await.unwrap();

    emu.uninstall_app(true).await.unwrap();
    assert!(registry.uninstalls.lock().unwrap()[0].clean);
    assert_eq!(registry.len(), 0, "CLEAN removes the record");
    assert!(
        emu.authorize().is_err(),
        "no authorization once uninstalled"
    );
}

#[tokio::test]
async fn forged_install_requests_are_refused() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let registry = Arc::new(Registry::default());
    let (install_url, events_url) = serve(&emu, Arc::clone(&registry)).await;
    let http = bitrix_emulator::http_client().build().unwrap();
    let post = |url: String, body: String| {
        let http = http.clone();
        async move {
            http.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .timeout(Duration::from_secs(10))
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Made-up tokens: the OAuth server does not know them.
    let forged = bitrix_tests::php_query::form_body(&serde_json::json!({
        "event": "ONAPPINSTALL", "data": {"VERSION": "1"},
        "auth": {"domain": emu.domain(), "member_id": emu.member_id(), "access_token": "a1",
                 "refresh_token": "r1", "application_token": "attacker"}
    }));
    assert_eq!(post(install_url.clone(), forged.clone()).await, 401);
    assert_eq!(post(events_url.clone(), forged).await, 401);
    // An uninstall of a portal the application does not know.
    let uninstall = bitrix_tests::php_query::form_body(&serde_json::json!({
        "event": "ONAPPUNINSTALL", "data": {"CLEAN": 1},
        "auth": {"member_id": emu.member_id(), "application_token": "attacker"}
    }));
    assert_eq!(post(events_url.clone(), uninstall).await, 401);
    assert_eq!(registry.len(), 0);
    // Not an event at all, and a wizard form without the fields it must have.
    assert_eq!(post(events_url, "AUTH_ID=a1".into()).await, 400);
    assert_eq!(post(install_url, "AUTH_ID=a1&DOMAIN=x".into()).await, 400);
}

#[tokio::test]
async fn the_control_endpoint_installs_too() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let registry = Arc::new(Registry::default());
    let (install_url, _) = serve(&emu, Arc::clone(&registry)).await;
    let answer: serde_json::Value = bitrix_emulator::http_client()
        .build()
        .unwrap()
        .post(format!("{}/_emulator/install", emu.base_url()))
        .json(&serde_json::json!({"handler_url": install_url, "flow": "callback"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["install"]["status"], 200, "{answer}");
    assert!(answer["event"].is_null());
    assert!(registry.get(&emu.member_id()).is_some());
    let code: serde_json::Value = bitrix_emulator::http_client()
        .build()
        .unwrap()
        .post(format!("{}/_emulator/authorize", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant = oauth_app(&emu)
        .exchange_code(code["code"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(grant.member_id, emu.member_id());
}

#[tokio::test]
async fn one_app_on_two_portals_sharing_the_oauth_server() {
    let first = Emulator::start(Config::default()).await.unwrap();
    let second = Emulator::start_sharing_oauth(Config::default(), &first)
        .await
        .unwrap();
    assert_ne!(first.member_id(), second.member_id());
    let registry = Arc::new(Registry::default());
    // One application: its installer talks to the first portal's token endpoint only.
    let (install_url, events_url) = serve(&first, Arc::clone(&registry)).await;
    for emu in [&first, &second] {
        let done = emu
            .install_app(&InstallApp::callback(&install_url).event_handler(&events_url))
            .await;
        assert_eq!(done.install.status, Some(200), "{done:?}");
        assert_eq!(done.event.and_then(|d| d.status), Some(200));
    }
    assert_eq!(registry.len(), 2);
    let app = oauth_app(&first);
    for emu in [&first, &second] {
        let record = registry.get(&emu.member_id()).unwrap();
        assert_eq!(record.client_endpoint, emu.rest_url());
        assert_eq!(
            record.application_token.as_ref().map(Secret::expose),
            Some(emu.application_token().as_str())
        );
        let client = record.client_builder(&app).build().unwrap();
        dialog(&client).await.unwrap();
    }
    // A token works on its own portal only, and an uninstall touches one portal.
    let one = registry.get(&first.member_id()).unwrap();
    let mut elsewhere = one.clone();
    elsewhere.client_endpoint = second.rest_url();
    let wrong = elsewhere.client_builder(&app).build().unwrap();
    assert!(dialog(&wrong).await.is_err());
    first.uninstall_app(true).await.unwrap();
    assert_eq!(registry.len(), 1);
    let two = registry.get(&second.member_id()).unwrap();
    let client = two.client_builder(&app).build().unwrap();
    dialog(&client).await.unwrap();
}
