//! `imopenlines.bot.session.*`: the application's chat-bot acting in an
//! open-line dialog (send an automatic message, hand over to a free
//! operator, transfer to an operator or queue, finish the dialog).
//!
//! Checks common to the four methods, in this order:
//! 1. browser-session auth → `WRONG_AUTH_TYPE`;
//! 2. `CHAT_ID` missing or `<= 0` → `CHAT_ID_EMPTY`;
//! 3. only for `transfer` and `finish`, the two whose pages document
//!    `BOT_ID_ERROR` and a `CLIENT_ID` parameter: the application has no
//!    chat-bot, or (over a webhook) `CLIENT_ID` is missing or is not the
//!    bot's → `BOT_ID_ERROR`. `message.send` and `operator` may be called by
//!    any user and do not look for the bot.

use serde_json::Value;

use super::{Call, Outcome};
use crate::auth::AuthKind;
use crate::errors::{self, ApiError};
use crate::shared::lock;
use crate::state::ChatHandler;
use crate::wire::coerce::{flag, given, intval, is_empty, text};

use std::sync::atomic::Ordering;

/// The checks shared by the four methods (the bot lookup only when
/// `needs_bot`); gives the chat id and bot id.
fn preamble(call: &Call<'_>, needs_bot: bool) -> Result<(i64, i64), ApiError> {
    if call.caller.kind == AuthKind::Session {
        return Err(errors::WRONG_AUTH_TYPE);
    }
    let chat_id = given(&call.params.map, "CHAT_ID").map_or(0, intval);
    if chat_id <= 0 {
        return Err(errors::CHAT_ID_EMPTY);
    }
    let portal = lock(&call.shared.portal);
    if !needs_bot {
        return Ok((chat_id, portal.bot.id));
    }
    if !call.shared.app_has_bot.load(Ordering::SeqCst) {
        return Err(errors::BOT_ID_ERROR);
    }
    if call.caller.kind == AuthKind::Webhook {
        let client_id = given(&call.params.map, "CLIENT_ID").and_then(text);
        if client_id.as_deref().map(str::trim) != Some(portal.bot.client_id.as_str()) {
            return Err(errors::BOT_ID_ERROR);
        }
    }
    Ok((chat_id, portal.bot.id))
}

/// `imopenlines.bot.session.message.send`: `NAME=WELCOME` posts the line's
/// greeting; otherwise (`DEFAULT`) posts `MESSAGE` if it is not empty. The
/// result is `true` even when nothing was posted (unknown chat, empty text).
pub(crate) fn message_send(call: &Call<'_>) -> Outcome {
    let (chat_id, bot_id) = preamble(call, false)?;
    let name = given(&call.params.map, "NAME")
        .and_then(text)
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let mut portal = lock(&call.shared.portal);
    let message = if name == "WELCOME" {
        portal.line.welcome.clone()
    } else {
        given(&call.params.map, "MESSAGE")
            .and_then(text)
            .unwrap_or_default()
    };
    if !message.is_empty() {
        portal.append_message(chat_id, bot_id, message);
    }
    Ok(Value::Bool(true))
}

/// `imopenlines.bot.session.operator`: hands a bot-handled, open dialog to
/// the next operator of the line's queue; otherwise `WRONG_CHAT`.
pub(crate) fn operator(call: &Call<'_>) -> Outcome {
    let (chat_id, _) = preamble(call, false)?;
    let mut portal = lock(&call.shared.portal);
    let line_id = match portal.chats.get(&chat_id) {
        Some(c) if c.session_open && c.handler == ChatHandler::Bot => c.line_id,
        _ => return Err(errors::WRONG_CHAT),
    };
    let uid = portal.pick_from_queue(line_id).ok_or(errors::WRONG_CHAT)?;
    if let Some(chat) = portal.chats.get_mut(&chat_id) {
        chat.handler = ChatHandler::Operator(uid);
        chat.bot_in_chat = false;
    }
    Ok(Value::Bool(true))
}

enum Target {
    User(i64),
    Queue(i64),
}

/// `imopenlines.bot.session.transfer`: the destination is taken from
/// `USER_ID`, else `QUEUE_ID`, else `TRANSFER_ID` (`queue<N>` or a user id).
/// A destination that is not an employee or a known queue, a closed or
/// unknown chat, or the operator who already has the chat → `OPERATOR_WRONG`.
/// `LEAVE=Y` removes the bot from the chat at once.
pub(crate) fn transfer(call: &Call<'_>) -> Outcome {
    let (chat_id, _) = preamble(call, true)?;
    let p = &call.params.map;
    let target = if let Some(v) = given(p, "USER_ID") {
        let id = intval(v);
        if id <= 0 {
            return Err(errors::USER_ID_EMPTY);
        }
        Target::User(id)
    } else if let Some(v) = given(p, "QUEUE_ID") {
        let id = intval(v);
        if id <= 0 {
            return Err(errors::QUEUE_ID_EMPTY);
        }
        Target::Queue(id)
    } else if let Some(v) = given(p, "TRANSFER_ID").filter(|v| !is_empty(v)) {
        let raw = text(v).unwrap_or_default();
        let raw = raw.trim();
        match raw.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case("queue") => {
                Target::Queue(raw[5..].parse::<i64>().unwrap_or(0))
            }
            _ => Target::User(raw.parse::<i64>().unwrap_or(0)),
        }
    } else {
        return Err(errors::TRANSFER_ID_EMPTY);
    };
    let leave = given(p, "LEAVE").is_some_and(flag);

    let mut portal = lock(&call.shared.portal);
    let current = match portal.chats.get(&chat_id) {
        Some(c) if c.session_open => c.handler,
        _ => return Err(errors::OPERATOR_WRONG),
    };
    let uid = match target {
        Target::User(id) => match portal.user(id) {
            Some(u) if u.employee => id,
            _ => return Err(errors::OPERATOR_WRONG),
        },
        Target::Queue(id) => portal.pick_from_queue(id).ok_or(errors::OPERATOR_WRONG)?,
    };
    if current == ChatHandler::Operator(uid) {
        return Err(errors::OPERATOR_WRONG);
    }
    if let Some(chat) = portal.chats.get_mut(&chat_id) {
        chat.handler = ChatHandler::Operator(uid);
        if leave {
            chat.bot_in_chat = false;
        }
    }
    Ok(Value::Bool(true))
}

/// `imopenlines.bot.session.finish`: closes the chat's open session; `true`
/// also when there is nothing to close.
pub(crate) fn finish(call: &Call<'_>) -> Outcome {
    let (chat_id, _) = preamble(call, true)?;
    let mut portal = lock(&call.shared.portal);
    if let Some(chat) = portal.chats.get_mut(&chat_id) {
        chat.session_open = false;
        chat.bot_in_chat = false;
    }
    Ok(Value::Bool(true))
}
