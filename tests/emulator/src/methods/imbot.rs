//! `imbot.register` (the application's chat-bot gives its handler URL) and
//! `imbot.v2.Event.get` (fetch mode: the bot reads its queued events).
//!
//! The portal has one bot (user 50). `imbot.register` does not create another: it records
//! the handler of `EVENT_MESSAGE_ADD` (or `EVENT_HANDLER`), takes `CLIENT_ID` as the bot's
//! client id, marks the application as having a bot and answers the bot's id.
//! `imbot.v2.Bot.register` likewise records the v2 bot's `eventMode` and `webhookUrl` and
//! takes `botToken` as the bot's client id; `imbot.v2.Event.get` takes the bot's client id as
//! its `botToken`.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::{Call, Outcome};
use crate::auth::AuthKind;
use crate::errors::{self, ApiError};
use crate::events::{BotHooks, V2Hooks};
use crate::shared::lock;
use crate::wire::coerce::{given, intval, text};

fn err(status: u16, code: &'static str, message: &'static str) -> ApiError {
    ApiError {
        status,
        code: Cow::Borrowed(code),
        message: Cow::Borrowed(message),
    }
}

fn param_text(call: &Call<'_>, name: &str) -> Option<String> {
    given(&call.params.map, name)
        .and_then(text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// `imbot.register`.
pub(crate) fn register(call: &Call<'_>) -> Outcome {
    if call.caller.kind == AuthKind::Session {
        return Err(errors::WRONG_AUTH_TYPE);
    }
    let client_id = param_text(call, "CLIENT_ID");
    if call.caller.kind == AuthKind::Webhook && client_id.is_none() {
        return Err(err(
            403,
            "ACCESS_DENIED",
            "Access denied! Client ID not specified",
        ));
    }
    let code = param_text(call, "CODE")
        .ok_or_else(|| err(400, "EMPTY_CODE", "Bot code isn't specified"))?;
    let handler = param_text(call, "EVENT_MESSAGE_ADD")
        .or_else(|| param_text(call, "EVENT_HANDLER"))
        .ok_or_else(|| {
            err(
                400,
                "EVENT_MESSAGE_ADD_ERROR",
                "Handler for \"Message add\" event isn't specified",
            )
        })?;
    if !is_url(&handler) {
        return Err(err(400, "EVENT_MESSAGE_ADD_ERROR", "Wrong handler URL"));
    }
    let has_name = given(&call.params.map, "PROPERTIES")
        .and_then(|p| p.get("NAME").or_else(|| p.get("name")))
        .and_then(text)
        .is_some_and(|n| !n.trim().is_empty());
    if !has_name {
        return Err(err(400, "NAME_ERROR", "Bot name isn't specified"));
    }
    let mut portal = lock(&call.shared.portal);
    if let Some(id) = client_id {
        portal.bot.client_id = id;
    }
    *lock(&call.shared.hooks) = Some(BotHooks {
        code,
        message_add: handler,
    });
    call.shared.app_has_bot.store(true, Ordering::SeqCst);
    Ok(json!(portal.bot.id))
}

/// `imbot.v2.Event.get`: the events with an id of at least `offset`, at most `limit`.
pub(crate) fn event_get(call: &Call<'_>) -> Outcome {
    let bot_id = given(&call.params.map, "botId").map_or(0, intval);
    if bot_id <= 0 {
        return Err(err(400, "BOT_ID_REQUIRED", "Bot ID is required"));
    }
    let token = param_text(call, "botToken");
    if call.caller.kind == AuthKind::Webhook && token.is_none() {
        return Err(err(
            400,
            "BOT_TOKEN_NOT_SPECIFIED",
            "Bot token is not specified",
        ));
    }
    {
        let portal = lock(&call.shared.portal);
        if bot_id != portal.bot.id {
            return Err(err(400, "BOT_NOT_FOUND", "Bot not found"));
        }
        if token.is_some_and(|t| t != portal.bot.client_id) {
            return Err(err(
                403,
                "BOT_OWNERSHIP_ERROR",
                "Bot is registered by another application",
            ));
        }
    }
    let offset = given(&call.params.map, "offset").map_or(0, intval);
    let limit = given(&call.params.map, "limit")
        .map_or(100, intval)
        .clamp(1, 1000);
    let queue = lock(&call.shared.fetch);
    let mut pending = queue.events.iter().filter(|e| e.id >= offset);
    let page: Vec<Value> = pending
        .by_ref()
        .take(usize::try_from(limit).unwrap_or(100))
        .map(|e| json!({"eventId": e.id, "type": e.kind, "date": e.date, "data": e.data}))
        .collect();
    let has_more = pending.next().is_some();
    let next = page
        .last()
        .and_then(|e| e["eventId"].as_i64())
        .map_or(offset, |id| id + 1);
    Ok(json!({"events": page, "nextOffset": next, "hasMore": has_more}))
}

/// `imbot.v2.Bot.register`: `fields[code]`, `fields[properties][name]`, `fields[eventMode]`
/// (`fetch`, the default, or `webhook` with `fields[webhookUrl]`), `fields[botToken]` (needed
/// over a webhook).
pub(crate) fn register_v2(call: &Call<'_>) -> Outcome {
    if call.caller.kind == AuthKind::Session {
        return Err(errors::WRONG_AUTH_TYPE);
    }
    let fields = given(&call.params.map, "fields")
        .cloned()
        .unwrap_or(Value::Null);
    let field = |name: &str| {
        fields
            .get(name)
            .and_then(text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let token = field("botToken");
    if call.caller.kind == AuthKind::Webhook && token.is_none() {
        return Err(err(
            400,
            "BOT_TOKEN_NOT_SPECIFIED",
            "Bot token is not specified",
        ));
    }
    let code =
        field("code").ok_or_else(|| err(400, "BOT_CODE_REQUIRED", "Bot code is required"))?;
    let named = fields
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(text)
        .is_some_and(|n| !n.trim().is_empty());
    if !named {
        return Err(err(
            400,
            "BOT_PROPERTIES_REQUIRED",
            "Bot properties are required",
        ));
    }
    let mode = field("eventMode").unwrap_or_else(|| "fetch".into());
    let webhook = match mode.as_str() {
        "fetch" => None,
        "webhook" => {
            let url = field("webhookUrl")
                .ok_or_else(|| err(400, "BOT_WEBHOOK_URL_REQUIRED", "Webhook URL is required"))?;
            if !is_url(&url) {
                return Err(err(400, "BOT_INVALID_CALLBACK", "Invalid callback URL"));
            }
            Some(url)
        }
        _ => return Err(err(400, "BOT_INVALID_EVENT_MODE", "Invalid event mode")),
    };
    let mut portal = lock(&call.shared.portal);
    if let Some(t) = token {
        portal.bot.client_id = t;
    }
    *lock(&call.shared.v2_hooks) = Some(V2Hooks {
        code: code.clone(),
        webhook,
    });
    call.shared.app_has_bot.store(true, Ordering::SeqCst);
    // `users` is always present in the documented answer (the spec marks it required).
    Ok(json!({
        "bot": {"id": portal.bot.id, "code": code, "eventMode": mode},
        "users": [],
    }))
}
