//! The installable open-lines bot of the `openlines_app` example, shared with the e2e test
//! `app/tests/app_e2e.rs`: one axum router serves every portal. `POST /install` confirms the
//! install request, stores it in the registry, registers the bot on that portal and keeps its
//! id as a per-portal value; `POST /events` checks each event against its portal's
//! `application_token` from the registry, stores `ONAPPINSTALL`, forgets the portal on
//! `ONAPPUNINSTALL`, and answers a customer's message with that portal's client.

#![allow(dead_code, deprecated)]

#[path = "../../../bitrix-api/examples/openlines_bot/bot.rs"]
mod bot;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use bitrix_api::imbot::{Register, RegisterProperties};
use bitrix_api::install::{self, AppEvent, Installer};
use bitrix_api::Method;
use bitrix_app::Portals;
pub use bot::BoxError;
use std::sync::Arc;

/// The per-portal value holding the id of the bot registered there.
pub const BOT_ID: &str = "bot_id";
/// The `CLIENT_ID` the bot is registered with (and finishes sessions with).
const BOT_CLIENT_ID: &str = "openlines_app";

/// The application: its installer and its registry.
pub struct App {
    /// Confirms install requests with the OAuth server.
    pub installer: Installer,
    /// The portals it is installed on.
    pub portals: Portals,
    /// The URL of `/events` as the portals reach it.
    pub events_url: String,
}

/// The routes: `/install` and `/events`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/install", post(on_install))
        .route("/events", post(on_event))
        .with_state(app)
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Stores an installation and makes sure the portal has the bot.
async fn installed(app: &App, installation: install::Installation) -> Result<(), BoxError> {
    let member = installation.member_id.clone();
    app.portals.install(&installation).await?;
    println!("  installed on {} (member {member})", installation.domain);
    if let Some(id) = app.portals.value(&member, BOT_ID).await? {
        println!("  the bot {id} is already registered there");
        return Ok(());
    }
    let client = app.portals.client(&member).await?;
    let request = Register::new(
        "openlines_app",
        RegisterProperties::new().name("Support bot"),
    )
    .openline(true)
    .event_handler(app.events_url.as_str())
    .client_id(BOT_CLIENT_ID);
    let id = client.call(request).await?;
    app.portals
        .set_value(&member, BOT_ID, &id.to_string())
        .await?;
    println!(
        "  → {} on {} → bot {id}",
        Register::NAME,
        installation.domain
    );
    Ok(())
}

async fn on_install(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let query = None;
    match app
        .installer
        .receive(query, content_type(&headers), &body)
        .await
    {
        Ok(installation) => match installed(&app, installation).await {
            Ok(()) => StatusCode::OK,
            Err(e) => {
                println!("  ✗ install failed: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
        Err(e) => {
            println!("  ✗ refused an install request: {e}");
            install::status_of(&e)
        }
    }
}

async fn on_event(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let received = app
        .installer
        .receive_event(content_type(&headers), &body, &app.portals)
        .await;
    match received {
        Ok(AppEvent::Installed(installation)) => match installed(&app, installation).await {
            Ok(()) => StatusCode::OK,
            Err(e) => {
                println!("  ✗ install failed: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
        Ok(AppEvent::Uninstalled(gone)) => match app.portals.uninstalled(&gone).await {
            Ok(_) => {
                println!(
                    "  uninstalled from {}",
                    gone.domain.as_deref().unwrap_or("?")
                );
                StatusCode::OK
            }
            Err(e) => {
                println!("  ✗ uninstall failed: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
        Ok(AppEvent::Other(event)) => {
            let Some(member) = event.auth.member_id.clone() else {
                return StatusCode::BAD_REQUEST;
            };
            let typed: bitrix_api::Event = match event.typed() {
                Ok(e) => e,
                Err(e) => {
                    println!("  ✗ {} does not decode: {e}", event.event);
                    return StatusCode::BAD_REQUEST;
                }
            };
            let client = match app.portals.client(&member).await {
                Ok(c) => c,
                Err(e) => {
                    println!("  ✗ no client for {member}: {e}");
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
            };
            println!(
                "  ← {} from {}",
                typed.name(),
                event.auth.domain.as_deref().unwrap_or("?")
            );
            let bot = bot::Bot {
                client,
                client_id: BOT_CLIENT_ID.to_string(),
            };
            tokio::spawn(async move {
                if let Err(e) = bot.handle(&typed).await {
                    println!("  ✗ the bot's call failed: {e}");
                }
            });
            StatusCode::OK
        }
        Ok(_) => StatusCode::OK,
        Err(e) => {
            println!("  ✗ refused an event: {e}");
            install::status_of(&e)
        }
    }
}

/// Serves the application on a loopback port; gives the install handler's and the event
/// handler's URLs.
pub async fn serve(installer: Installer, portals: Portals) -> Result<(String, String), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let events_url = format!("{base}/events");
    let app = Arc::new(App {
        installer,
        portals,
        events_url: events_url.clone(),
    });
    let routes = router(app);
    tokio::spawn(async move { axum::serve(listener, routes).await });
    Ok((format!("{base}/install"), events_url))
}

/// A customer of the emulated portal asks for an operator in the portal's first bot chat;
/// `Ok` when the bot answered each line and handed the chat to an operator.
pub async fn converse(emu: &bitrix_emulator::Emulator) -> Result<(), BoxError> {
    let chat = *emu
        .bot_chat_ids()
        .first()
        .ok_or("the portal has no bot chat")?;
    println!("Open-line chat {chat} on {}:", emu.domain());
    for line in bitrix_emulator::scenario::ASKS_FOR_OPERATOR {
        println!("customer: {line:?}");
        let sent = emu.customer_writes(chat, line).await?;
        match &sent.delivery {
            Some(d) if d.status == Some(200) => {}
            Some(d) => return Err(format!("the handler answered {:?}", d.status).into()),
            None => return Err("the chat is no longer the bot's".into()),
        }
        emu.wait_for_answer(chat, &sent, std::time::Duration::from_secs(10))
            .await
            .ok_or_else(|| format!("no answer in chat {chat} within 10 s"))?;
    }
    let after = emu.chat(chat).ok_or("the chat is gone")?;
    if !matches!(after.handler, bitrix_emulator::ChatHandler::Operator(_)) {
        return Err(format!("chat {chat} did not go to an operator").into());
    }
    println!("  (chat {chat} is now with an operator)");
    Ok(())
}
