//! Events the emulated portal sends: a customer writes in an open line, and the portal tells
//! the chat-bot. A bot registered with `imbot.register` gets `ONIMBOTMESSAGEADD` POSTed to its
//! `EVENT_MESSAGE_ADD` URL as a PHP `http_build_query` form (nested keys, every scalar text,
//! `Y`/`N` flags, empty arrays left out), with the top-level `auth` block carrying the
//! application token. A bot registered with `imbot.v2.Bot.register` in webhook mode gets
//! `ONIMBOTV2MESSAGEADD` POSTed to its `webhookUrl` the same way (`data[bot]` is `{id, code,
//! auth}`); otherwise every message for the bot is queued as an `ONIMBOTV2MESSAGEADD`
//! fetch-mode event for `imbot.v2.Event.get`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::php_query::form_body as http_build_query;
use crate::shared::{lock, Shared};
use crate::state::{ChatHandler, ChatSnapshot};
use crate::wire::clock::{rfc3339, unix_secs};

/// Where the registered bot wants its events (set by `imbot.register`).
#[derive(Debug, Clone)]
pub(crate) struct BotHooks {
    pub code: String,
    pub message_add: String,
}

/// The v2 bot's registration: its code and, in webhook mode, its URL.
#[derive(Debug, Clone)]
pub(crate) struct V2Hooks {
    pub code: String,
    pub webhook: Option<String>,
}

/// One event the emulator POSTed to a handler, and how the handler answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The event's name (`ONIMBOTMESSAGEADD`; `INSTALL` for the install wizard's POST).
    pub event: String,
    /// The handler URL it was POSTed to.
    pub url: String,
    /// The chat the event is about (0 for the application's install events).
    pub chat_id: i64,
    /// The customer's message (empty for the application's install events).
    pub message: String,
    /// The handler's HTTP status; `None` when it could not be reached.
    pub status: Option<u16>,
    /// Why the handler could not be reached.
    pub error: Option<String>,
}

/// One queued fetch-mode event (for `imbot.v2.Event.get`).
#[derive(Debug, Clone)]
pub(crate) struct FetchEvent {
    pub id: i64,
    pub kind: String,
    pub date: String,
    pub data: Value,
}

/// The fetch-mode queue of the bot: ids grow from 1; nothing is ever dropped.
#[derive(Debug, Default)]
pub(crate) struct FetchQueue {
    pub events: Vec<FetchEvent>,
}

impl FetchQueue {
    fn push(&mut self, kind: &str, date: String, data: Value) {
        let id = self.events.last().map_or(1, |e| e.id + 1);
        self.events.push(FetchEvent {
            id,
            kind: kind.to_string(),
            date,
            data,
        });
    }
}

/// What a customer's message led to: the event delivered (if the bot was due one) and the
/// chat afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMessage {
    /// The `ONIMBOTMESSAGEADD` delivery, when the bot handles the chat and registered a
    /// handler with `imbot.register`.
    pub delivery: Option<Delivery>,
    /// The `ONIMBOTV2MESSAGEADD` delivery, when the bot handles the chat and was registered
    /// with `imbot.v2.Bot.register` in webhook mode.
    pub v2_delivery: Option<Delivery>,
    /// Number of messages in the chat once the customer's was added.
    pub messages_before_reply: usize,
}

/// Adds the customer's message to the chat and tells the bot, if the bot handles the chat.
pub(crate) async fn customer_writes(
    shared: &Arc<Shared>,
    chat_id: i64,
    text: &str,
) -> Result<CustomerMessage, String> {
    let now = unix_secs(SystemTime::now());
    let (payload_data, v2_data, for_bot, count) = {
        let mut portal = lock(&shared.portal);
        let chat = portal
            .chats
            .get(&chat_id)
            .ok_or_else(|| format!("no chat {chat_id}"))?;
        let guest_id = chat.guest_id;
        portal.append_message(chat_id, guest_id, text.to_string());
        let chat = portal.chats.get(&chat_id).ok_or("chat vanished")?;
        let for_bot = chat.session_open && chat.bot_in_chat && chat.handler == ChatHandler::Bot;
        let message_id = chat.messages.last().map_or(0, |m| m.id);
        let count = chat.messages.len();
        let entity_id = chat.user_code.clone();
        let line_id = chat.line_id;
        let guest_name = chat.guest_name.clone();
        let bot_id = portal.bot.id;
        let (first, last) = guest_name.split_once(' ').unwrap_or((&guest_name, ""));
        let params = json!({
            "MESSAGE": text,
            "TEMPLATE_ID": format!("tpl-{message_id}"),
            "MESSAGE_TYPE": "L",
            "FROM_USER_ID": guest_id,
            "DIALOG_ID": format!("chat{chat_id}"),
            "TO_CHAT_ID": chat_id,
            "AUTHOR_ID": guest_id,
            "SYSTEM": "N",
            "CHAT_ID": chat_id,
            "CHAT_TITLE": format!("{guest_name} - open line {line_id}"),
            "CHAT_TYPE": "L",
            "CHAT_ENTITY_TYPE": "LINES",
            "CHAT_ENTITY_ID": entity_id,
            "COMMAND_CONTEXT": "TEXTAREA",
            "MESSAGE_ID": message_id,
            "LANGUAGE": "en",
        });
        let user = json!({
            "ID": guest_id,
            "NAME": guest_name,
            "FIRST_NAME": first,
            "LAST_NAME": last,
            "WORK_POSITION": "",
            "GENDER": "M",
            "IS_BOT": "N",
            "IS_CONNECTOR": "Y",
            "IS_NETWORK": "N",
            "IS_EXTRANET": "Y",
        });
        let v2 = json!({
            "bot": {"id": bot_id, "code": "emulator_bot", "type": "openline", "eventMode": "fetch"},
            "message": {"id": message_id, "chatId": chat_id, "authorId": guest_id,
                        "date": rfc3339(now), "text": text, "isSystem": false},
            "chat": {"id": chat_id, "dialogId": format!("chat{chat_id}"), "type": "lines",
                     "entityType": "LINES", "entityId": chat.user_code},
            "user": {"id": guest_id, "name": guest_name, "firstName": first, "lastName": last,
                     "bot": false, "connector": true},
            "language": "en",
        });
        (json!({"PARAMS": params, "USER": user}), v2, for_bot, count)
    };
    let mut out = CustomerMessage {
        delivery: None,
        v2_delivery: None,
        messages_before_reply: count,
    };
    if !for_bot {
        return Ok(out);
    }
    let v2 = lock(&shared.v2_hooks).clone();
    match v2
        .as_ref()
        .and_then(|h| h.webhook.clone().map(|url| (h, url)))
    {
        Some((hooks, url)) => {
            let body = http_build_query(&v2_envelope(shared, hooks, v2_data, now));
            let d = post(shared, "ONIMBOTV2MESSAGEADD", &url, body, chat_id, text).await;
            lock(&shared.deliveries).push(d.clone());
            out.v2_delivery = Some(d);
        }
        None => lock(&shared.fetch).push("ONIMBOTV2MESSAGEADD", rfc3339(now), v2_data),
    }
    let v1 = lock(&shared.hooks).clone();
    if let Some(hooks) = v1 {
        let body = http_build_query(&envelope(shared, &hooks, payload_data, now));
        let d = post(
            shared,
            "ONIMBOTMESSAGEADD",
            &hooks.message_add,
            body,
            chat_id,
            text,
        )
        .await;
        lock(&shared.deliveries).push(d.clone());
        out.delivery = Some(d);
    }
    Ok(out)
}

/// A v2 webhook-mode event: `data[bot]` is `{id, code, auth}`, the rest as in fetch mode.
fn v2_envelope(shared: &Shared, hooks: &V2Hooks, mut data: Value, now: i64) -> Value {
    let bot_id = lock(&shared.portal).bot.id;
    let auth = auth_block(shared, bot_id, now);
    if let Value::Object(m) = &mut data {
        m.insert(
            "bot".into(),
            json!({"id": bot_id, "code": hooks.code, "auth": auth.clone()}),
        );
    }
    json!({"event": "ONIMBOTV2MESSAGEADD", "event_handler_id": 8, "data": data, "ts": now, "auth": auth})
}

/// The whole event: `event`, `event_handler_id`, `data` (with the bot's own block), `ts`, `auth`.
fn envelope(shared: &Shared, hooks: &BotHooks, mut data: Value, now: i64) -> Value {
    let bot_id = lock(&shared.portal).bot.id;
    let client_id = lock(&shared.portal).bot.client_id.clone();
    let auth = auth_block(shared, bot_id, now);
    let mut bot = auth.as_object().cloned().unwrap_or_default();
    bot.insert("client_id".into(), client_id.into());
    bot.insert("AUTH".into(), auth.clone());
    bot.insert("BOT_ID".into(), bot_id.into());
    bot.insert("BOT_CODE".into(), hooks.code.clone().into());
    let mut bots = Map::new();
    bots.insert(bot_id.to_string(), Value::Object(bot));
    if let Value::Object(m) = &mut data {
        m.insert("BOT".into(), Value::Object(bots));
    }
    json!({
        "event": "ONIMBOTMESSAGEADD",
        "event_handler_id": 7,
        "data": data,
        "ts": now,
        "auth": auth,
    })
}

/// An `auth` block with a fresh token pair of `user_id` and the application token.
pub(crate) fn auth_block(shared: &Shared, user_id: i64, now: i64) -> Value {
    let tokens = lock(&shared.tokens).issue(&shared.member_id, user_id);
    let ttl = shared.config.access_token_ttl.as_secs();
    json!({
        "access_token": tokens.access_token,
        "expires": now + i64::try_from(ttl).unwrap_or(3600),
        "expires_in": ttl,
        "scope": "imbot,imopenlines",
        "domain": shared.host,
        "server_endpoint": format!("{}/oauth/", shared.base_url),
        "status": "L",
        "client_endpoint": format!("{}/rest/", shared.base_url),
        "member_id": shared.member_id,
        "user_id": user_id,
        "refresh_token": tokens.refresh_token,
        "application_token": shared.application_token,
    })
}

pub(crate) async fn post(
    shared: &Shared,
    event: &str,
    url: &str,
    body: String,
    chat_id: i64,
    text: &str,
) -> Delivery {
    let sent = shared
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .timeout(Duration::from_secs(10))
        .body(body)
        .send()
        .await;
    let (status, error) = match sent {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (None, Some(e.without_url().to_string())),
    };
    Delivery {
        event: event.to_string(),
        url: url.to_string(),
        chat_id,
        message: text.to_string(),
        status,
        error,
    }
}

/// Waits until the chat changed after a customer's message: a later message (the bot's
/// answer), a new handler, or a finished session. Gives the chat then; `None` on time-out.
pub(crate) async fn wait_for_answer(
    shared: &Shared,
    chat_id: i64,
    messages_before: usize,
    timeout: Duration,
) -> Option<ChatSnapshot> {
    const QUIET: Duration = Duration::from_millis(150);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut changed: Option<(ChatSnapshot, tokio::time::Instant)> = None;
    loop {
        let snap = lock(&shared.portal).snapshot(chat_id)?;
        let now = tokio::time::Instant::now();
        match &changed {
            // Answered: wait until the bot has been quiet for a moment (it may send a line
            // and then transfer or finish).
            Some((last, since)) if *last == snap && now.duration_since(*since) >= QUIET => {
                return Some(snap);
            }
            Some((last, _)) if *last == snap => {}
            _ if snap.messages.len() > messages_before
                || snap.handler != ChatHandler::Bot
                || !snap.session_open =>
            {
                changed = Some((snap.clone(), now));
            }
            _ => {}
        }
        if now >= deadline {
            return changed.map(|(s, _)| s);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
