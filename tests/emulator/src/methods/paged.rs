//! Lists paged otherwise than by `start`, with as many items as the `Config` asks for, so that a
//! client can walk them to the end:
//!
//! - `im.recent.list` by `OFFSET` / `LIMIT` (default 50, at most 200): `Config::recent_chats`
//!   chats (ids 2001, 2002, ...), newest activity first, with `hasMore` (and its older name
//!   `hasMorePages`) true while entries follow the page;
//! - `im.dialog.messages.get` by message id: `Config::dialog_messages` messages (ids 10001,
//!   10002, ...) in any dialog, newest first; `LAST_ID` gives the messages below it, `FIRST_ID`
//!   those above it (oldest first, as the portal answers), `LIMIT` (default 20, at most 50);
//! - `imopenlines.config.list.get` by `PARAMS.offset` / `PARAMS.limit` (default 50, at most
//!   200; 0 counts as absent here, which the docs leave open): `Config::open_lines` lines (ids
//!   "1", "2", ...) in id order, a bare array without `total`. PARAMS keys other than the
//!   documented five, and a `limit` or `offset` that is not a non-negative integer, get the
//!   documented `INVALID_FORMAT` answers; `select`, `order` and `filter` are not applied.

use serde_json::{json, Value};

use super::{Call, Reply};
use crate::errors::ApiError;
use crate::spec_table::table;
use crate::wire::clock::rfc3339;
use crate::wire::coerce::{given, intval, text};

/// Id of the first recent chat.
const FIRST_CHAT: i64 = 2001;
/// Id of the first dialog message.
const FIRST_MESSAGE: i64 = 10001;
/// A fixed instant the synthetic items are dated from (2024-10-11T06:00:00Z).
const EPOCH: i64 = 1_728_626_400;

/// `LIMIT` as the portal reads it: `default` when absent or below 1, at most `max`.
fn limit(call: &Call<'_>, default: i64, max: i64) -> usize {
    let n = given(&call.params.map, "LIMIT").map_or(default, intval);
    let n = if n < 1 { default } else { n.min(max) };
    usize::try_from(n).unwrap_or(0)
}

fn recent_item(i: usize) -> Value {
    let id = FIRST_CHAT + i as i64;
    let when = rfc3339(EPOCH - i as i64 * 60);
    json!({
        "id": format!("chat{id}"),
        "chat_id": id,
        "type": "chat",
        "title": format!("Chat {}", i + 1),
        "counter": 0,
        "pinned": false,
        "unread": false,
        "has_reminder": false,
        "date_update": when,
        "date_last_activity": when,
        "options": [],
    })
}

/// `im.recent.list`.
pub(crate) fn recent_list(call: &Call<'_>) -> Result<Reply, ApiError> {
    let count = call.shared.config.recent_chats;
    let offset = given(&call.params.map, "OFFSET").map_or(0, intval).max(0);
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let end = offset.saturating_add(limit(call, 50, 200)).min(count);
    let items: Vec<Value> = (offset..end.max(offset)).map(recent_item).collect();
    let more = end < count;
    Ok(Reply::from(json!({
        "items": items,
        "hasMore": more,
        "hasMorePages": more,
    })))
}

fn message(id: i64) -> Value {
    json!({
        "id": id,
        "chat_id": 7,
        "author_id": 1,
        "date": rfc3339(EPOCH + (id - FIRST_MESSAGE) * 60),
        "text": format!("Message {}", id - FIRST_MESSAGE + 1),
        "unread": false,
        "uuid": null,
        "replaces": [],
        "params": [],
    })
}

/// `im.dialog.messages.get`.
pub(crate) fn dialog_messages(call: &Call<'_>) -> Result<Reply, ApiError> {
    let p = &call.params.map;
    if given(p, "DIALOG_ID")
        .and_then(text)
        .is_none_or(|d| d.trim().is_empty())
    {
        return Err(ApiError {
            status: 400,
            code: "DIALOG_ID_EMPTY".into(),
            message: "Dialog ID can't be empty".into(),
        });
    }
    let count = i64::try_from(call.shared.config.dialog_messages).unwrap_or(i64::MAX);
    let last = FIRST_MESSAGE.saturating_add(count) - 1;
    let n = limit(call, 20, 50) as i64;
    let ids: Vec<i64> = if let Some(first_id) = given(p, "FIRST_ID").map(intval) {
        let lo = first_id.saturating_add(1).max(FIRST_MESSAGE);
        (lo..=last.min(lo.saturating_add(n - 1))).collect()
    } else {
        let below = given(p, "LAST_ID").map_or(i64::MAX, intval);
        let hi = below.saturating_sub(1).min(last);
        let lo = hi.saturating_sub(n - 1).max(FIRST_MESSAGE);
        (lo..=hi).rev().collect()
    };
    let messages: Vec<Value> = ids.into_iter().map(message).collect();
    Ok(Reply::from(json!({
        "chat_id": 7,
        "messages": messages,
        "users": [],
        "files": [],
    })))
}

/// The keys `PARAMS` of `imopenlines.config.list.get` may hold.
const LINE_PARAMS: [&str; 5] = ["select", "order", "filter", "limit", "offset"];

/// `INVALID_FORMAT`, as `imopenlines.config.list.get` documents it.
fn invalid_format(message: String) -> ApiError {
    ApiError {
        status: 400,
        code: "INVALID_FORMAT".into(),
        message: message.into(),
    }
}

/// A `PARAMS` paging field: absent (`None`), or a non-negative integer (a JSON integer or a
/// string of digits, as a form sends it).
fn line_param(
    params: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<i64>, ApiError> {
    let Some(v) = params.get(name).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(intval(v))
        }
        _ => None,
    };
    match n {
        Some(n) if n >= 0 => Ok(Some(n)),
        _ => Err(invalid_format(format!(
            "A non-negative integer is expected in the PARAMS field '{name}'"
        ))),
    }
}

/// One open line: the method's example line (every documented field), numbered `i + 1`.
fn line(template: &Value, i: usize) -> Value {
    let mut line = match template {
        Value::Object(o) => o.clone(),
        _ => serde_json::Map::new(),
    };
    line.insert("ID".into(), Value::String((i + 1).to_string()));
    line.insert("LINE_NAME".into(), Value::String(format!("Line {}", i + 1)));
    Value::Object(line)
}

/// `imopenlines.config.list.get`.
pub(crate) fn open_lines(call: &Call<'_>) -> Result<Reply, ApiError> {
    let empty = serde_json::Map::new();
    let params = match given(&call.params.map, "PARAMS") {
        Some(Value::Object(o)) => o,
        _ => &empty,
    };
    let unsupported: Vec<&str> = params
        .keys()
        .map(String::as_str)
        .filter(|k| !LINE_PARAMS.contains(k))
        .collect();
    if !unsupported.is_empty() {
        return Err(invalid_format(format!(
            "Unsupported PARAMS fields are passed: {}",
            unsupported.join(", ")
        )));
    }
    let limit = line_param(params, "limit")?
        .filter(|n| *n > 0)
        .unwrap_or(50)
        .min(200);
    let offset = line_param(params, "offset")?.unwrap_or(0);
    let count = call.shared.config.open_lines;
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(count);
    let end = offset
        .saturating_add(usize::try_from(limit).unwrap_or(0))
        .min(count);
    let template = match table()
        .method("imopenlines.config.list.get")
        .map(|m| &m.result)
    {
        Some(Value::Array(items)) => items.first().cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let lines: Vec<Value> = (offset..end).map(|i| line(&template, i)).collect();
    Ok(Reply::from(Value::Array(lines)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_params_are_non_negative_integers() {
        let p = json!({"limit": 200, "offset": "400", "bad": -1, "text": "12abc", "f": 1.5});
        let p = p.as_object().unwrap();
        assert_eq!(line_param(p, "limit").unwrap(), Some(200));
        assert_eq!(line_param(p, "offset").unwrap(), Some(400));
        assert_eq!(line_param(p, "none").unwrap(), None);
        for bad in ["bad", "text", "f"] {
            let e = line_param(p, bad).unwrap_err();
            assert_eq!(e.code, "INVALID_FORMAT");
            assert!(
                e.message.ends_with(&format!("field '{bad}'")),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn lines_are_numbered_from_one() {
        let l = line(&json!({"ID": "9", "ACTIVE": "Y"}), 4);
        assert_eq!(l, json!({"ID": "5", "LINE_NAME": "Line 5", "ACTIVE": "Y"}));
    }

    #[test]
    fn recent_items_count_from_the_first_chat() {
        assert_eq!(recent_item(0)["chat_id"], 2001);
        assert_eq!(recent_item(2)["id"], "chat2003");
    }
}
