//! Typed events: the generated payloads decode the portal's event data, and unknown events
//! are kept whole.

use bitrix_api::Event;

#[test]
#[allow(deprecated)]
fn a_v1_bot_message_decodes_into_its_payload() {
    let data = r#"{
        "BOT": {"567": {"access_token": "tok", "BOT_ID": "567", "BOT_CODE": "BOT1",
                        "AUTH": {"application_token": "app", "member_id": "m1"}}},
        "PARAMS": {"MESSAGE": "Hello", "MESSAGE_TYPE": "L", "DIALOG_ID": "chat1407",
                   "FROM_USER_ID": "27", "SYSTEM": "N", "MESSAGE_ID": "84331",
                   "MENTIONED_LIST": {"567": "567"}},
        "USER": {"ID": "27", "NAME": "Svetlana Ivanova", "IS_CONNECTOR": "Y"}
    }"#;
    let event = Event::decode(
        "ONIMBOTMESSAGEADD",
        &mut serde_json::Deserializer::from_str(data),
    )
    .unwrap();
    assert_eq!(event.name(), "ONIMBOTMESSAGEADD");
    let Event::Imbot(bitrix_api::imbot::Event::OnImbotMessageAdd(m)) = event else {
        panic!("wrong variant: {event:?}");
    };
    assert_eq!(m.params.message.as_deref(), Some("Hello"));
    assert_eq!(m.params.message_id, Some(84331));
    assert_eq!(m.params.system, Some(false));
    assert_eq!(
        m.params.message_type,
        Some(bitrix_api::imbot::OnImbotMessageAddParamsMessageType::L)
    );
    let bot = &m.bot.as_ref().unwrap()["567"];
    assert_eq!(bot.bot_id, Some(567));
    assert_eq!(bot.access_token.as_ref().unwrap().expose(), "tok");
    let auth = bot.auth.as_ref().unwrap();
    assert_eq!(auth.application_token.as_ref().unwrap().expose(), "app");
    assert_eq!(m.user.as_ref().unwrap().is_connector, Some(true));
    // Credentials never print.
    let shown = format!("{m:?}");
    assert!(
        !shown.contains("\"tok\"") && !shown.contains("\"app\""),
        "{shown}"
    );
}

#[test]
fn event_names_match_in_any_case_and_unknown_events_are_kept() {
    let data = r#"{"PARAMS": {"MESSAGE": "x"}}"#;
    let e = Event::decode(
        "onImBotMessageAdd",
        &mut serde_json::Deserializer::from_str(data),
    )
    .unwrap();
    assert_eq!(e.name(), "ONIMBOTMESSAGEADD");

    let e = Event::decode(
        "ONSOMETHINGNEW",
        &mut serde_json::Deserializer::from_str(data),
    )
    .unwrap();
    match e {
        Event::Unknown { name, data } => {
            assert_eq!(name, "ONSOMETHINGNEW");
            assert_eq!(data["PARAMS"]["MESSAGE"], "x");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn a_payload_that_breaks_its_type_is_an_error() {
    // PARAMS is required.
    let r = Event::decode(
        "ONIMBOTMESSAGEADD",
        &mut serde_json::Deserializer::from_str("{}"),
    );
    assert!(r.is_err());
    let r = Event::decode(
        "ONIMBOTMESSAGEADD",
        &mut serde_json::Deserializer::from_str(r#"{"PARAMS": {"MESSAGE_ID": "abc"}}"#),
    );
    assert!(r.is_err());
}
