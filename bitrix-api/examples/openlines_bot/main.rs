//! An open-line chat-bot driven by events, end to end.
//!
//! With no settings it starts the embedded Bitrix24 emulator and the bot's HTTP handler on
//! loopback, registers the bot (`imbot.register` with the handler's URL), and lets two scripted
//! customers write in open lines. The emulator POSTs each message to the handler as a portal
//! does (`ONIMBOTMESSAGEADD`, a PHP form with the application token); the handler checks it
//! with `bitrix_api::events::receive`, answers 200 at once and hands the typed
//! `bitrix_api::Event` to the bot (`bot.rs`), which greets, answers `help` and `hours`,
//! transfers to an operator when asked (`imopenlines.bot.session.operator`) and finishes the
//! session on goodbye (`imopenlines.bot.session.finish`). Every event received and every
//! method called is printed; it exits 0 once both conversations are done (each answer is
//! waited for at most 10 s).
//!
//! To serve a real portal instead, set:
//!
//! - `BITRIX24_WEBHOOK_URL`: an incoming webhook (`https://PORTAL/rest/USER_ID/CODE/`) with the
//!   `imbot` and `imopenlines` scopes;
//! - `BITRIX24_HANDLER_ADDR`: the address to bind the handler to (`0.0.0.0:8080`);
//! - `BITRIX24_HANDLER_URL`: the handler's public URL, which the portal POSTs events to
//!   (`https://bot.example.com/bitrix/events`; its path is the route served);
//! - `BITRIX24_APPLICATION_TOKEN`: the application token the portal sends in `auth`;
//! - `BITRIX24_BOT_CLIENT_ID`: the CLIENT_ID to register the bot with (webhook calls need it).
//!
//! The binary then registers the bot with that handler URL and serves events until Ctrl-C.
//!
//! Run: `cargo run -p bitrix-api --example openlines_bot`

mod bot;

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use bitrix_api::events::{receive, FixedToken, Limits};
#[allow(deprecated)]
use bitrix_api::imbot::{Register, RegisterProperties};
use bitrix_api::{Client, Method};
use bot::Bot;

use bot::BoxError;

/// The handler's routes: `POST path` → `events::receive` → 200 → the bot, on its own task.
fn handler(path: &str, bot: Bot, token: String) -> axum::Router {
    let tokens = std::sync::Arc::new(FixedToken::new(token));
    axum::Router::new().route(
        path,
        post(move |headers: HeaderMap, body: Bytes| {
            let (bot, tokens) = (bot.clone(), tokens.clone());
            async move {
                let ct = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let received = match receive(ct, &body, &Limits::default(), &*tokens).await {
                    Ok(r) => r,
                    Err(rejection) => {
                        println!("  ✗ refused an event: {rejection}");
                        return (StatusCode::BAD_REQUEST, rejection.to_string());
                    }
                };
                let event: bitrix_api::Event = match received.typed() {
                    Ok(e) => e,
                    Err(rejection) => {
                        println!("  ✗ {} does not decode: {rejection}", received.event);
                        return (StatusCode::BAD_REQUEST, rejection.to_string());
                    }
                };
                println!("  ← event {}", event.name());
                tokio::spawn(async move {
                    if let Err(e) = bot.handle(&event).await {
                        println!("  ✗ the bot's call failed: {e}");
                    }
                });
                (StatusCode::OK, "OK".to_string())
            }
        }),
    )
}

#[allow(deprecated)]
async fn register(client: &Client, url: &str, client_id: &str) -> Result<i64, BoxError> {
    let request = Register::new(
        "openlines_bot",
        RegisterProperties::new().name("Support bot"),
    )
    .openline(true)
    .event_handler(url)
    .client_id(client_id);
    let id = client.call(request).await?;
    println!("→ {} (handler {url}) → bot {id}", Register::NAME);
    Ok(id)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if let Ok(webhook) = std::env::var("BITRIX24_WEBHOOK_URL") {
        return real_portal(&webhook).await;
    }
    let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default()).await?;
    println!(
        "Started the embedded Bitrix24 emulator at {}",
        emu.base_url()
    );
    let client = Client::webhook(&emu.webhook_url())?;
    let bot = Bot {
        client: client.clone(),
        client_id: emu.bot_client_id(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/bot", listener.local_addr()?);
    let app = handler("/bot", bot, emu.application_token());
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("The bot's handler listens at {url}");
    register(&client, &url, &emu.bot_client_id()).await?;

    let chats = emu.bot_chat_ids();
    let (Some(&first), Some(&second)) = (chats.first(), chats.get(1)) else {
        return Err("the emulator seeded fewer than two bot chats".into());
    };
    for (chat, lines) in [
        (first, bitrix_emulator::scenario::ASKS_FOR_OPERATOR),
        (second, bitrix_emulator::scenario::SAYS_GOODBYE),
    ] {
        println!("\nOpen-line chat {chat}:");
        for line in lines {
            println!("customer: {line:?}");
            let sent = emu.customer_writes(chat, line).await?;
            match &sent.delivery {
                Some(d) if d.status == Some(200) => {}
                Some(d) => return Err(format!("the handler answered {:?}", d.status).into()),
                None => return Err("the chat is no longer the bot's".into()),
            }
            let Some(after) = emu
                .wait_for_answer(chat, &sent, Duration::from_secs(10))
                .await
            else {
                return Err(format!("no answer in chat {chat} within 10 s").into());
            };
            if let bitrix_emulator::ChatHandler::Operator(id) = after.handler {
                println!("  (chat {chat} is now with operator {id})");
            }
            if !after.session_open {
                println!("  (the session of chat {chat} is finished)");
            }
        }
    }
    let a = emu.chat(first).ok_or("chat gone")?;
    let b = emu.chat(second).ok_or("chat gone")?;
    let transferred = matches!(a.handler, bitrix_emulator::ChatHandler::Operator(_));
    if !transferred || b.session_open {
        return Err("the scenario did not end with a transfer and a finished session".into());
    }
    println!(
        "\nDone: {} events delivered; chat {first} transferred, chat {second} finished.",
        emu.deliveries().len()
    );
    Ok(())
}

/// Serves a real portal: registers the bot with the public handler URL and serves events.
async fn real_portal(webhook: &str) -> Result<(), BoxError> {
    let need = |k: &str| {
        std::env::var(k).map_err(|_| format!("{k} must be set with BITRIX24_WEBHOOK_URL"))
    };
    let addr = need("BITRIX24_HANDLER_ADDR")?;
    let public = need("BITRIX24_HANDLER_URL")?;
    let token = need("BITRIX24_APPLICATION_TOKEN")?;
    let client_id = need("BITRIX24_BOT_CLIENT_ID")?;
    let path = url::Url::parse(&public)?.path().to_string();
    let client = Client::webhook(webhook)?;
    let bot = Bot {
        client: client.clone(),
        client_id: client_id.clone(),
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("Serving events at {addr}{path} (public URL {public})");
    let app = handler(&path, bot, token);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    register(&client, &public, &client_id).await?;
    tokio::select! {
        r = server => r??,
        _ = tokio::signal::ctrl_c() => println!("Stopped."),
    }
    Ok(())
}
