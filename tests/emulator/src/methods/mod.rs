//! The REST methods the emulated portal knows, and the dispatch by name.

use serde_json::Value;

use crate::auth::Caller;
use crate::errors::{self, ApiError};
use crate::shared::Shared;
use crate::wire::params::Params;

pub(crate) mod batch;
pub(crate) mod bot_session;
pub(crate) mod crm_chat;
pub(crate) mod dialog;

/// One method call: who calls, with which parameters, on which portal.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    pub caller: Caller,
    pub params: &'a Params,
}

/// What a method gives back: the `result` value or an error.
pub(crate) type Outcome = Result<Value, ApiError>;

/// Runs a top-level method (`batch` included).
pub(crate) fn dispatch(method: &str, call: &Call<'_>) -> Outcome {
    if method == "batch" {
        return batch::run(call);
    }
    dispatch_plain(method, call).unwrap_or(Err(errors::METHOD_NOT_FOUND))
}

/// Runs a method other than `batch`; `None` when the name is unknown.
pub(crate) fn dispatch_plain(method: &str, call: &Call<'_>) -> Option<Outcome> {
    Some(match method {
        "imopenlines.dialog.get" => dialog::get(call),
        "imopenlines.crm.chat.get" => crm_chat::get(call),
        "imopenlines.bot.session.message.send" => bot_session::message_send(call),
        "imopenlines.bot.session.operator" => bot_session::operator(call),
        "imopenlines.bot.session.transfer" => bot_session::transfer(call),
        "imopenlines.bot.session.finish" => bot_session::finish(call),
        _ => return None,
    })
}
