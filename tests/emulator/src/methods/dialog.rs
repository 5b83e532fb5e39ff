//! `imopenlines.dialog.get`: the chat object of an open-line dialog.

use serde_json::{json, Map, Value};

use super::{Call, Outcome};
use crate::errors;
use crate::shared::lock;
use crate::state::{Chat, ChatHandler, Portal};
use crate::wire::clock::rfc3339;
use crate::wire::coerce::{given, intval, text};

/// Finds the chat by the first of `CHAT_ID`, `DIALOG_ID` (`chat<ID>`),
/// `SESSION_ID`, `USER_CODE` that is present; anything that does not lead to
/// a known open-line chat is `ACCESS_ERROR`.
pub(crate) fn get(call: &Call<'_>) -> Outcome {
    let portal = lock(&call.shared.portal);
    let p = &call.params.map;
    let chat_id = if let Some(v) = given(p, "CHAT_ID") {
        intval(v)
    } else if let Some(v) = given(p, "DIALOG_ID") {
        text(v)
            .and_then(|s| {
                s.trim()
                    .strip_prefix("chat")
                    .and_then(|n| n.parse::<i64>().ok())
            })
            .unwrap_or(0)
    } else if let Some(v) = given(p, "SESSION_ID") {
        let sid = intval(v);
        portal
            .chats
            .values()
            .find(|c| sid > 0 && c.session_id == sid)
            .map_or(0, |c| c.id)
    } else if let Some(v) = given(p, "USER_CODE") {
        let code = text(v).unwrap_or_default();
        portal
            .chats
            .values()
            .find(|c| c.user_code == code.trim())
            .map_or(0, |c| c.id)
    } else {
        0
    };
    let chat = portal.chats.get(&chat_id).ok_or(errors::ACCESS_ERROR)?;
    Ok(chat_object(&portal, chat, call.caller.user_id))
}

fn chat_object(portal: &Portal, chat: &Chat, caller: i64) -> Value {
    let owner = match chat.handler {
        ChatHandler::Bot => portal.bot.id,
        ChatHandler::Operator(uid) => uid,
    };
    let mut members = vec![chat.guest_id, owner];
    if chat.bot_in_chat && owner != portal.bot.id {
        members.push(portal.bot.id);
    }
    let role = if caller == owner {
        "owner"
    } else if members.contains(&caller) {
        "member"
    } else {
        "guest"
    };
    let last_id = chat.messages.last().map_or(0, |m| m.id);
    let last_author = chat.messages.last().map_or(0, |m| m.author_id);
    let viewer = if last_author == chat.guest_id {
        owner
    } else {
        chat.guest_id
    };
    let restrictions = json!({
        "avatar": true,
        "rename": true,
        "extend": true,
        "call": true,
        "mute": true,
        "leave": true,
        "leave_owner": true,
        "send": chat.session_open,
        "user_list": true
    });
    let permissions = json!({
        "manage_users_add": "member",
        "manage_users_delete": "manager",
        "manage_ui": "member",
        "manage_settings": "owner",
        "manage_messages": "member",
        "can_post": "member"
    });
    let readed_list = json!([{
        "user_id": chat.guest_id,
        "user_name": chat.guest_name,
        "message_id": last_id,
        "date": null
    }]);
    let last_message_views = json!({
        "message_id": last_id,
        "first_viewers": [{
            "user_id": viewer,
            "user_name": portal.user_name(viewer),
            "date": rfc3339(chat.created + 60)
        }],
        "count_of_viewers": 0
    });
    let entity_link = json!({ "type": "LINES", "url": "", "id": chat.user_code });
    let head = json!({
        "id": chat.id,
        "parent_chat_id": 0,
        "parent_message_id": 0,
        "name": format!("{} - {}", chat.guest_name, portal.line.name),
        "description": null,
        "owner": owner,
        "extranet": false,
        "avatar": "",
        "color": chat.color,
        "type": "lines",
        "counter": 0,
        "user_counter": members.len(),
        "message_count": chat.messages.len(),
        "unread_id": 0,
        "restrictions": restrictions,
        "last_message_id": last_id,
        "last_id": last_id,
        "marked_id": 0,
        "disk_folder_id": 0,
        "entity_type": "LINES",
        "entity_id": chat.user_code,
        "entity_data_1": chat.entity_data_1(),
        "entity_data_2": chat.entity_data_2(),
        "entity_data_3": "N"
    });
    let tail = json!({
        "mute_list": [],
        "date_create": rfc3339(chat.created),
        "message_type": "L",
        "public": "",
        "role": role,
        "entity_link": entity_link,
        "text_field_enabled": chat.session_open,
        "background_id": null,
        "permissions": permissions,
        "is_new": false,
        "readed_list": readed_list,
        "manager_list": [owner],
        "last_message_views": last_message_views,
        "dialog_id": format!("chat{}", chat.id)
    });
    // serde_json's map is ordered by key; the field order of the docs
    // example is not kept on the wire, which JSON readers do not rely on.
    let mut obj = Map::new();
    for part in [head, tail] {
        if let Value::Object(m) = part {
            obj.extend(m);
        }
    }
    Value::Object(obj)
}
