//! `imopenlines.crm.chat.get`: open-line chats bound to a CRM object.

use serde_json::{json, Value};

use super::{Call, Outcome};
use crate::errors;
use crate::shared::lock;
use crate::state::CrmType;
use crate::wire::coerce::{given, is_empty, text};

/// Checks the arguments in the documented order, then lists the chats bound
/// to the object: `[{CHAT_ID: "<id>", CONNECTOR_ID, CONNECTOR_TITLE}]`. Only
/// chats with an open session unless `ACTIVE_ONLY=N`. An unknown type or
/// object gives `[]`.
pub(crate) fn get(call: &Call<'_>) -> Outcome {
    let p = &call.params.map;
    let entity_type = match given(p, "CRM_ENTITY_TYPE") {
        Some(v) if !is_empty(v) => v,
        _ => return Err(errors::CRM_ENTITY_TYPE_EMPTY),
    };
    let entity = match given(p, "CRM_ENTITY") {
        Some(v) if !is_empty(v) => v,
        _ => return Err(errors::CRM_ENTITY_EMPTY),
    };
    let entity_id = integer_arg(entity).ok_or(errors::CRM_ENTITY_INVALID_TYPE)?;
    let active_only = !given(p, "ACTIVE_ONLY")
        .and_then(text)
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("N"));
    let Some(crm_type) = text(entity_type).and_then(|s| CrmType::parse(&s)) else {
        return Ok(json!([]));
    };
    let portal = lock(&call.shared.portal);
    if portal.restricted_crm.contains(&(crm_type, entity_id)) {
        return Err(errors::CRM_ACCESS_DENIED);
    }
    let list: Vec<Value> = portal
        .chats
        .values()
        .filter(|c| c.crm.contains(&(crm_type, entity_id)))
        .filter(|c| !active_only || c.session_open)
        .map(|c| {
            json!({
                "CHAT_ID": c.id.to_string(),
                "CONNECTOR_ID": c.connector_id,
                "CONNECTOR_TITLE": c.connector_title
            })
        })
        .collect();
    Ok(Value::Array(list))
}

/// An integer given as a JSON integer or as a string of digits.
fn integer_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}
