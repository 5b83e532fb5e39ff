//! The `/_emulator/*` control endpoints, for test clients that are not
//! written in Rust. Not part of any real portal.
//!
//! The table of endpoints is in the crate documentation.
//!
//! Bad input answers 400 with `{"error": "INVALID_REQUEST", "error_description": ...}`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::FaultRequest;
use crate::install::{InstallApp, InstallFlow};
use crate::shared::{lock, Shared};
use crate::state::{ADMIN_USER_ID, OPERATOR_CHAT_ID, RESTRICTED_DEAL_ID};
use crate::wire::envelope::Answer;

fn bad_request(msg: &str) -> Response {
    Answer::json(
        400,
        &json!({ "error": "INVALID_REQUEST", "error_description": msg }),
    )
    .into_response()
}

fn ok() -> Response {
    Answer::json(200, &json!({ "ok": true })).into_response()
}

pub(crate) async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: FaultRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("fault body: {e}")),
    };
    match req.to_fault() {
        Ok(fault) => {
            lock(&shared.faults).push(fault, req.times.unwrap_or(1), req.method.as_deref());
            ok()
        }
        Err(msg) => bad_request(&msg),
    }
}

pub(crate) async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.faults).clear();
    ok()
}

#[derive(Deserialize)]
struct Flag {
    value: bool,
}

pub(crate) async fn app_has_bot(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Flag>(&body) {
        Ok(f) => {
            shared.app_has_bot.store(f.value, Ordering::SeqCst);
            ok()
        }
        Err(e) => bad_request(&format!("expected {{\"value\": true|false}}: {e}")),
    }
}

pub(crate) async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.tokens).expire_all(&shared.member_id);
    ok()
}

pub(crate) async fn issue_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let t = lock(&shared.tokens).issue(&shared.member_id, ADMIN_USER_ID);
    Answer::json(
        200,
        &json!({ "access_token": t.access_token, "refresh_token": t.refresh_token }),
    )
    .into_response()
}

/// Everything a client needs to talk to this emulator.
pub(crate) fn info_json(shared: &Shared) -> Value {
    let portal = lock(&shared.portal);
    json!({
        "base_url": shared.base_url,
        "webhook_url": format!("{}/rest/{}/{}/", shared.base_url, ADMIN_USER_ID, shared.config.webhook_code),
        "rest_url": format!("{}/rest/", shared.base_url),
        "oauth_token_url": format!("{}/oauth/token/", shared.base_url),
        "client_id": shared.config.client_id,
        "client_secret": shared.config.client_secret,
        "bot_id": portal.bot.id,
        "bot_client_id": portal.bot.client_id,
        "app_has_bot": shared.app_has_bot.load(Ordering::SeqCst),
        "bot_chat_ids": portal.bot_chat_ids(),
        "operator_chat_id": OPERATOR_CHAT_ID,
        "operator_user_ids": portal.operator_ids(),
        "queue_id": portal.line.id,
        "restricted_deal_id": RESTRICTED_DEAL_ID,
        "refresh_count": shared.refresh_count.load(Ordering::SeqCst),
        "member_id": shared.member_id,
        "domain": shared.host,
        "installed": shared.installed.load(Ordering::SeqCst),
        "rate_refusals": shared.rate_refusals.load(Ordering::SeqCst),
        "operating_refusals": shared.operating_refusals.load(Ordering::SeqCst),
    })
}

/// The refusal counters of both limits.
pub(crate) async fn limits(State(shared): State<Arc<Shared>>) -> Response {
    Answer::json(
        200,
        &json!({
            "rate_refusals": shared.rate_refusals.load(Ordering::SeqCst),
            "operating_refusals": shared.operating_refusals.load(Ordering::SeqCst),
        }),
    )
    .into_response()
}

/// Sets the refusal counters back to zero.
pub(crate) async fn reset_limits(State(shared): State<Arc<Shared>>) -> Response {
    shared.rate_refusals.store(0, Ordering::SeqCst);
    shared.operating_refusals.store(0, Ordering::SeqCst);
    ok()
}

pub(crate) async fn info(State(shared): State<Arc<Shared>>) -> Response {
    Answer::json(200, &info_json(&shared)).into_response()
}

pub(crate) async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    let log = lock(&shared.log).clone();
    let body = serde_json::to_value(log).unwrap_or(Value::Array(Vec::new()));
    Answer::json(200, &body).into_response()
}

pub(crate) async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.log).clear();
    ok()
}

#[derive(Deserialize)]
struct CustomerLine {
    chat_id: i64,
    text: String,
}

/// A customer writes in an open line; the bot's event is delivered.
pub(crate) async fn customer_message(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let line: CustomerLine = match serde_json::from_slice(&body) {
        Ok(l) => l,
        Err(e) => {
            return bad_request(&format!(
                "expected {{\"chat_id\": N, \"text\": \"…\"}}: {e}"
            ))
        }
    };
    match crate::events::customer_writes(&shared, line.chat_id, &line.text).await {
        Ok(m) => Answer::json(
            200,
            &json!({ "delivery": m.delivery, "v2_delivery": m.v2_delivery }),
        )
        .into_response(),
        Err(e) => bad_request(&e),
    }
}

/// The events POSTed to handlers so far.
pub(crate) async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    let list = lock(&shared.deliveries).clone();
    Answer::json(200, &json!(list)).into_response()
}

#[derive(Deserialize)]
struct InstallBody {
    handler_url: String,
    event_url: Option<String>,
    #[serde(default)]
    flow: Option<String>,
}

/// Installs the application (see [`crate::Emulator::install_app`]).
pub(crate) async fn install(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: InstallBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(&format!(
                "expected {{\"handler_url\": \"…\", \"event_url\": \"…\", \"flow\": \"callback\"|\"wizard\"}}: {e}"
            ))
        }
    };
    let flow = match req.flow.as_deref() {
        None | Some("callback") => InstallFlow::Callback,
        Some("wizard") => InstallFlow::Wizard,
        Some(other) => return bad_request(&format!("unknown flow {other:?}")),
    };
    let app = InstallApp {
        handler_url: req.handler_url,
        event_url: req.event_url,
        flow,
    };
    let done = crate::install::install(&shared, &app).await;
    Answer::json(200, &json!(done)).into_response()
}

#[derive(Deserialize)]
struct UninstallBody {
    #[serde(default)]
    clean: bool,
}

/// Uninstalls the application (see [`crate::Emulator::uninstall_app`]).
pub(crate) async fn uninstall(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: UninstallBody = if body.is_empty() {
        UninstallBody { clean: false }
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return bad_request(&format!("expected {{\"clean\": true|false}}: {e}")),
        }
    };
    match crate::install::uninstall(&shared, req.clean).await {
        Ok(event) => Answer::json(200, &json!({ "event": event })).into_response(),
        Err(e) => bad_request(&e),
    }
}

/// A one-time authorization code (see [`crate::Emulator::authorize`]).
pub(crate) async fn authorize(State(shared): State<Arc<Shared>>) -> Response {
    match crate::install::authorize(&shared) {
        Ok(code) => Answer::json(200, &json!(code)).into_response(),
        Err(e) => bad_request(&e),
    }
}
