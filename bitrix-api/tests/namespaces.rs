//! The generated namespaces with the runtime: a nested page param of a list method, and
//! events typed by the crate's `Event`.
#![cfg(all(feature = "imopenlines", feature = "imbot"))]

use bitrix_api::events::{receive, FixedToken, Limits, ReceivedEvent, Rejection};
use bitrix_api::imopenlines::{ConfigListGet, ConfigListGetParams};
use bitrix_api::{imbot, Event, ListMethod};
use serde_json::json;

const FORM: &str = "application/x-www-form-urlencoded";

async fn run(ct: &str, body: &str, token: &str) -> Result<ReceivedEvent, Rejection> {
    receive(
        ct,
        body.as_bytes(),
        &Limits::default(),
        &FixedToken::new(token),
    )
    .await
}

/// A page param inside an object param (`PARAMS.offset`): the walk makes the object when
/// the caller left it out, and keeps the caller's other fields when not.
#[test]
fn a_nested_page_param_makes_its_object_and_keeps_the_callers_fields() {
    let mut r = ConfigListGet::new();
    r.set_offset(400);
    r.set_limit(200);
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"PARAMS": {"limit": 200, "offset": 400}})
    );
    let mut r = ConfigListGet::new().params(
        ConfigListGetParams::new()
            .select(vec!["ID".into()])
            .offset(7),
    );
    r.set_offset(200);
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"PARAMS": {"select": ["ID"], "offset": 200}})
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn typed_events() {
    let body = "event=ONIMBOTMESSAGEADD&data[BOT][50][access_token]=sekrit&data[BOT][50][BOT_ID]=50\
                &data[PARAMS][MESSAGE]=hello&data[PARAMS][CHAT_ID]=101&data[PARAMS][DIALOG_ID]=chat101\
                &data[USER][ID]=601&auth[application_token]=tok123&auth[status]=L";
    let ev = run(FORM, body, "tok123").await.unwrap();
    assert_eq!(ev.auth.status, Some(bitrix_api::types::EventAuthStatus::L));
    let typed: Event = ev.typed().unwrap();
    assert_eq!(typed.name(), "ONIMBOTMESSAGEADD");
    let Event::Imbot(imbot::Event::OnImbotMessageAdd(m)) = typed else {
        panic!("not typed: {typed:?}");
    };
    assert_eq!(m.params.message.as_deref(), Some("hello"));
    assert_eq!(m.params.chat_id, Some(101));

    let json = format!(
        "{{\"event\":\"onimbotmessageadd\",\"data\":{},\"auth\":{{\"application_token\":\"tok123\"}}}}",
        serde_json::json!({"PARAMS": {"MESSAGE": "hi", "CHAT_ID": 7}})
    );
    let ev = run("application/json", &json, "tok123").await.unwrap();
    assert_eq!(ev.typed::<Event>().unwrap().name(), "ONIMBOTMESSAGEADD");

    // PARAMS is required and must be an object.
    let broken = "event=ONIMBOTMESSAGEADD&data[BOT][50][access_token]=sekrit\
                  &data[PARAMS]=sekrit&auth[application_token]=tok123&auth[access_token]=acc456";
    let ev = run(FORM, broken, "tok123").await.unwrap();
    let Err(Rejection::Payload(why)) = ev.typed::<Event>() else {
        panic!("a broken payload decoded");
    };
    assert!(why.starts_with("ONIMBOTMESSAGEADD: "), "{why}");
    assert!(
        !why.contains("sekrit") && !why.contains("tok123") && !why.contains("acc456"),
        "{why}"
    );

    let other = "event=ONSOMETHINGNEW&data[A][B]=1&auth[application_token]=tok123";
    let ev = run(FORM, other, "tok123").await.unwrap();
    assert_eq!(
        ev.typed::<Event>().unwrap(),
        Event::Unknown {
            name: "ONSOMETHINGNEW".into(),
            data: serde_json::json!({"A": {"B": "1"}})
        }
    );
}
