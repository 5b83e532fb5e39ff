//! The REST methods the emulated portal knows, and the dispatch by name.

use serde_json::Value;

use crate::auth::Caller;
use crate::errors::{self, ApiError};
use crate::operating::Usage;
use crate::shared::{lock, Shared};
use crate::spec_table::table;
use crate::wire::params::Params;
use std::sync::atomic::Ordering;

pub(crate) mod batch;
pub(crate) mod bot_session;
pub(crate) mod crm_chat;
pub(crate) mod dialog;
pub(crate) mod generic;
pub(crate) mod imbot;
pub(crate) mod paged;
pub(crate) mod user;

/// One method call: who calls, with which parameters, on which portal.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    pub caller: Caller,
    pub params: &'a Params,
}

/// What a method gives back: the `result` value or an error.
pub(crate) type Outcome = Result<Value, ApiError>;

/// A method's answer: its `result`, and for list methods `total` / `next`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub result: Value,
    pub total: Option<u64>,
    pub next: Option<u64>,
}

impl From<Value> for Reply {
    fn from(result: Value) -> Self {
        Reply {
            result,
            total: None,
            next: None,
        }
    }
}

/// Runs a top-level method (`batch` included).
pub(crate) fn dispatch(method: &str, call: &Call<'_>) -> Result<Reply, ApiError> {
    if method == "batch" {
        return batch::run(call).map(Reply::from);
    }
    dispatch_plain(method, call).unwrap_or(Err(errors::METHOD_NOT_FOUND))
}

/// Runs a method other than `batch` under its operating-time budget: a method
/// over its budget is refused with `OPERATION_TIME_LIMIT` without running;
/// one that ran is charged and its usage returned for the `time` object.
pub(crate) fn run_metered(
    method: &str,
    call: &Call<'_>,
) -> (Result<Reply, ApiError>, Option<Usage>) {
    let shared = call.shared;
    let user = call.caller.user_id;
    let spec = table().method(method);
    let known = spec.is_some() || method == "user.get" || dispatch_plain_known(method);
    if !known {
        return (Err(errors::METHOD_NOT_FOUND), None);
    }
    if let Some(refusal) = spec.and_then(|s| generic::scope_refusal(s, call)) {
        return (Err(refusal), None);
    }
    if let Some(op) = lock(&shared.operating).as_mut() {
        if !op.admit(user, method) {
            shared.operating_refusals.fetch_add(1, Ordering::SeqCst);
            return (Err(errors::OPERATION_TIME_LIMIT), None);
        }
    }
    let reply = dispatch_plain(method, call).unwrap_or(Err(errors::METHOD_NOT_FOUND));
    let usage = lock(&shared.operating)
        .as_mut()
        .map(|op| op.charge(user, method));
    (reply, usage)
}

/// Whether `method` has a stateful handler (other than `user.get`).
fn dispatch_plain_known(method: &str) -> bool {
    matches!(
        method,
        "im.recent.list"
            | "im.dialog.messages.get"
            | "imopenlines.config.list.get"
            | "imopenlines.dialog.get"
            | "imopenlines.crm.chat.get"
            | "imopenlines.bot.session.message.send"
            | "imopenlines.bot.session.operator"
            | "imopenlines.bot.session.transfer"
            | "imopenlines.bot.session.finish"
            | "imbot.register"
            | "imbot.v2.event.get"
            | "imbot.v2.bot.register"
    )
}

/// Methods with a stateful handler, which takes precedence over the spec-driven answer.
pub(crate) fn is_stateful(method: &str) -> bool {
    let method = crate::faults::normalize_method(method);
    method == "user.get" || dispatch_plain_known(&method)
}

/// Runs a method other than `batch`: its stateful handler, else the spec-driven answer;
/// `None` when the name is unknown.
pub(crate) fn dispatch_plain(method: &str, call: &Call<'_>) -> Option<Result<Reply, ApiError>> {
    match method {
        "user.get" => return Some(user::get(call)),
        "im.recent.list" => return Some(paged::recent_list(call)),
        "im.dialog.messages.get" => return Some(paged::dialog_messages(call)),
        "imopenlines.config.list.get" => return Some(paged::open_lines(call)),
        _ => {}
    }
    let outcome: Outcome = match method {
        "imopenlines.dialog.get" => dialog::get(call),
        "imopenlines.crm.chat.get" => crm_chat::get(call),
        "imopenlines.bot.session.message.send" => bot_session::message_send(call),
        "imopenlines.bot.session.operator" => bot_session::operator(call),
        "imopenlines.bot.session.transfer" => bot_session::transfer(call),
        "imopenlines.bot.session.finish" => bot_session::finish(call),
        "imbot.register" => imbot::register(call),
        "imbot.v2.event.get" => imbot::event_get(call),
        "imbot.v2.bot.register" => imbot::register_v2(call),
        _ => generic::answer(table().method(method)?, call),
    };
    Some(outcome.map(Reply::from))
}
