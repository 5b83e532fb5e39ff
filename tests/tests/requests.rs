//! What typed requests put on the wire, and what they refuse before sending (no server needed:
//! a refused call never opens a connection).

use bitrix_api::imbot_v2::{
    BotRegister, BotRegisterFields, BotRegisterFieldsEventMode, BotRegisterFieldsProperties,
    BotUpdate, BotUpdateFields, ChatMessageSend, ChatMessageSendFields,
};
use bitrix_api::imopenlines::{BotSessionTransfer, DialogGet};
use bitrix_api::{Client, Error};

fn client() -> Client {
    // Port 9 (discard) on loopback: nothing listens there, and nothing may be sent anyway.
    Client::webhook("http://127.0.0.1:9/rest/1/code/").unwrap()
}

#[test]
fn wire_names_encodings_unions_and_explicit_null() {
    let t = BotSessionTransfer::new(7).transfer_id("queue2").leave(true);
    let j = serde_json::to_value(&t).unwrap();
    assert_eq!(
        j,
        serde_json::json!({"CHAT_ID": 7, "TRANSFER_ID": "queue2", "LEAVE": "Y"})
    );
    let t = BotSessionTransfer::new(7).transfer_id(15);
    assert_eq!(serde_json::to_value(&t).unwrap()["TRANSFER_ID"], 15);

    // A nullable param: unset is left out, `None` is sent as null to clear the value.
    let keep = BotUpdate::new(1, BotUpdateFields::new());
    let clear = BotUpdate::new(1, BotUpdateFields::new().background_id(None));
    let set = BotUpdate::new(1, BotUpdateFields::new().background_id(Some("mint".into())));
    assert!(serde_json::to_value(&keep).unwrap()["fields"]
        .get("backgroundId")
        .is_none());
    assert_eq!(
        serde_json::to_value(&clear).unwrap()["fields"]["backgroundId"],
        serde_json::Value::Null
    );
    assert_eq!(
        serde_json::to_value(&set).unwrap()["fields"]["backgroundId"],
        "mint"
    );
}

#[tokio::test]
async fn documented_limits_are_refused_before_sending() {
    let ids = (0..101).map(|i| (format!("uuid-{i}"), i)).collect();
    let fields = ChatMessageSendFields::new().message("hi").forward_ids(ids);
    let send = ChatMessageSend::new(1, "chat5")
        .bot_token("token")
        .fields(fields);
    match client().call(send).await.unwrap_err() {
        Error::Refused(r) => {
            assert_eq!(r.problems.len(), 1, "{r}");
            assert_eq!(r.problems[0].param, "fields.forwardIds");
            assert!(r.problems[0].message.contains("at most 100 items"), "{r}");
        }
        other => panic!("{other:?}"),
    }
    // webhookUrl is required only when eventMode is webhook.
    let fields = |mode| {
        BotRegisterFields::new("helper", BotRegisterFieldsProperties::new("Helper"))
            .bot_token("token")
            .event_mode(mode)
    };
    match client()
        .call(BotRegister::new(fields(
            BotRegisterFieldsEventMode::Webhook,
        )))
        .await
        .unwrap_err()
    {
        Error::Refused(r) => {
            assert_eq!(r.problems.len(), 1, "{r}");
            assert_eq!(r.problems[0].param, "fields.webhookUrl");
            assert!(
                r.problems[0].message.contains("eventMode is webhook"),
                "{r}"
            );
        }
        other => panic!("{other:?}"),
    }
    let fetch = client()
        .call(BotRegister::new(fields(BotRegisterFieldsEventMode::Fetch)))
        .await;
    assert!(
        matches!(fetch, Err(Error::Transport(_))),
        "sent (and failed to connect): {fetch:?}"
    );
    match client().call(DialogGet::new()).await.unwrap_err() {
        Error::Refused(r) => assert_eq!(
            r.problems[0].param,
            "CHAT_ID, DIALOG_ID, SESSION_ID, USER_CODE"
        ),
        other => panic!("{other:?}"),
    }
}
