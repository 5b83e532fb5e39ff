//! The common methods (`app`, `user` settings) and event binding: what their requests put on the
//! wire and how their loosely typed answers decode (no server needed).

use bitrix_api::app::{
    AccessName, FeatureGet, FeatureGetCode, OptionGet, OptionGetResult, OptionSet,
};
use bitrix_api::event::{Bind, BindEventType, BindOptions, Get, OfflineGet, OfflineList};
use bitrix_api::{decode_answer, user};
use serde_json::json;
use std::collections::BTreeMap;

fn ok<M: bitrix_api::Method>(body: serde_json::Value) -> M::Result
where
    M::Error: std::fmt::Debug,
{
    let body = serde_json::to_vec(&body).unwrap();
    match decode_answer::<M>(200, &body) {
        Ok(r) => r.result,
        Err(e) => panic!("{e:?}"),
    }
}

/// One key answers its value as a string, no key answers every setting, an unknown key answers
/// `null`: the string must not be swallowed by the object alternative.
#[test]
fn option_get_answers_a_value_every_setting_or_nothing() {
    let one = ok::<OptionGet>(json!({"result": "value"}));
    assert_eq!(one, Some(OptionGetResult::String("value".into())));
    let all = ok::<OptionGet>(json!({"result": {"data": "value", "data2": 2}}));
    assert_eq!(
        all,
        Some(OptionGetResult::Object(
            json!({"data": "value", "data2": 2})
        ))
    );
    assert_eq!(ok::<OptionGet>(json!({"result": null})), None);
    let mine = ok::<user::OptionGet>(json!({"result": "v"}));
    assert_eq!(mine, Some(user::OptionGetResult::String("v".into())));
}

#[test]
fn option_set_sends_settings_keyed_by_name() {
    let options = BTreeMap::from([
        ("mode".to_string(), json!("fast")),
        ("limit".to_string(), json!(5)),
    ]);
    let set = OptionSet::new(options.clone());
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        json!({"options": {"mode": "fast", "limit": 5}})
    );
    let mine = user::OptionSet::new(options);
    assert_eq!(serde_json::to_value(&mine).unwrap()["options"]["limit"], 5);
}

#[test]
fn access_name_false_is_none_and_codes_are_keys() {
    assert_eq!(ok::<AccessName>(json!({"result": false})), None);
    let names = ok::<AccessName>(json!({"result": {
        "AU": {"provider": "", "name": "All authorized users", "provider_id": "other"}
    }}))
    .unwrap();
    assert_eq!(names["AU"].name.as_deref(), Some("All authorized users"));
    assert_eq!(names["AU"].provider_id.as_deref(), Some("other"));
}

#[test]
fn feature_get_sends_the_code_and_reads_y_n() {
    let req = FeatureGet::new(FeatureGetCode::RestOfflineExtended);
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"CODE": "rest_offline_extended"})
    );
    let answer = ok::<FeatureGet>(json!({"result": {"value": "N", "en_selfhosted": "Y"}}));
    assert_eq!(answer.value, Some(false));
}

#[test]
fn event_bind_sends_offline_subscriptions_with_options() {
    let bind = Bind::new("ONCRMLEADADD", "https://example.com/h")
        .event_type(BindEventType::Offline)
        .options(BindOptions::new().min_timeout(30));
    assert_eq!(
        serde_json::to_value(&bind).unwrap(),
        json!({
            "event": "ONCRMLEADADD",
            "handler": "https://example.com/h",
            "event_type": "offline",
            "options": {"minTimeout": 30}
        })
    );
}

/// `auth_type` comes as a string and `offline` as 0/1.
#[test]
fn event_get_reads_handlers() {
    let handlers = ok::<Get>(json!({"result": [
        {"event": "ONCRMLEADADD", "handler": "https://h/", "auth_type": "15", "offline": 1}
    ]}));
    assert_eq!(handlers.len(), 1);
    assert_eq!(handlers[0].auth_type, Some(15));
    assert_eq!(handlers[0].offline, Some(true));
}

/// `clear` and `error` travel as 1/0; a queue record keeps its event data as sent.
#[test]
fn offline_queue_requests_and_records() {
    let get = OfflineGet::new().clear(false).error(true).limit(10);
    assert_eq!(
        serde_json::to_value(&get).unwrap(),
        json!({"limit": 10, "clear": 0, "error": 1})
    );
    let taken = ok::<OfflineGet>(json!({"result": {
        "process_id": "p1",
        "events": [{
            "ID": "7", "TIMESTAMP_X": "2024-07-18T12:32:31+02:00", "EVENT_NAME": "ONCRMLEADADD",
            "EVENT_DATA": {"FIELDS": {"ID": 3}}, "EVENT_ADDITIONAL": false, "MESSAGE_ID": "m7"
        }]
    }}));
    assert_eq!(taken.process_id.as_deref(), Some("p1"));
    assert_eq!(taken.events[0].id, 7);
    assert_eq!(
        taken.events[0].event_data,
        Some(json!({"FIELDS": {"ID": 3}}))
    );
    let listed = ok::<OfflineList>(json!({"result": [{
        "ID": "2", "EVENT_NAME": "ONCRMCOMPANYADD", "MESSAGE_ID": "2", "PROCESS_ID": "", "ERROR": "1"
    }], "total": 1}));
    assert_eq!(listed[0].error, Some(true));
}
