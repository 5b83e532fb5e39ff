//! `imopenlines.dialog.get` and `imopenlines.crm.chat.get`.

use serde_json::json;

use super::common::*;

const CRM_CHAT_GET: &str = "imopenlines.crm.chat.get";

#[tokio::test]
async fn dialog_get_full_chat_object_by_every_key() {
    let emu = start().await;
    let by_chat = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    let chat = by_chat.result().clone();
    for key in [
        "id",
        "parent_chat_id",
        "parent_message_id",
        "name",
        "description",
        "owner",
        "extranet",
        "avatar",
        "color",
        "type",
        "counter",
        "user_counter",
        "message_count",
        "unread_id",
        "restrictions",
        "last_message_id",
        "last_id",
        "marked_id",
        "disk_folder_id",
        "entity_type",
        "entity_id",
        "entity_data_1",
        "entity_data_2",
        "entity_data_3",
        "mute_list",
        "date_create",
        "message_type",
        "public",
        "role",
        "entity_link",
        "text_field_enabled",
        "background_id",
        "permissions",
        "is_new",
        "readed_list",
        "manager_list",
        "last_message_views",
        "dialog_id",
    ] {
        assert!(chat.get(key).is_some(), "missing {key} in {chat}");
    }
    assert_eq!(chat["id"], 101);
    assert_eq!(chat["type"], "lines");
    assert_eq!(chat["entity_type"], "LINES");
    assert_eq!(chat["dialog_id"], "chat101");
    assert_eq!(chat["owner"], emu.bot_id());
    assert_eq!(chat["description"], serde_json::Value::Null);
    assert_eq!(
        chat["entity_data_2"],
        "LEAD|201|COMPANY|0|CONTACT|301|DEAL|0"
    );
    assert_eq!(chat["restrictions"]["user_list"], true);
    assert_eq!(chat["entity_link"]["id"], chat["entity_id"]);
    assert!(chat["date_create"].as_str().unwrap().ends_with("+00:00"));

    let time = &by_chat.json["time"];
    for key in [
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    ] {
        assert!(time.get(key).is_some(), "missing time.{key}");
    }
    assert!(time["start"].as_f64().unwrap() > 1.6e9);
    assert_eq!(time["operating"], 0);

    let by_dialog = hook(&emu, DIALOG_GET, &json!({"DIALOG_ID": "chat101"})).await;
    assert_eq!(by_dialog.result()["id"], 101);
    let session_id = chat["entity_data_1"]
        .as_str()
        .unwrap()
        .split('|')
        .nth(5)
        .unwrap();
    let by_session = hook(&emu, DIALOG_GET, &json!({"SESSION_ID": session_id})).await;
    assert_eq!(by_session.result()["id"], 101);
    let by_code = hook(&emu, DIALOG_GET, &json!({"USER_CODE": chat["entity_id"]})).await;
    assert_eq!(by_code.result()["id"], 101);

    let operator_chat = hook(
        &emu,
        DIALOG_GET,
        &json!({"CHAT_ID": emu.operator_chat_id()}),
    )
    .await;
    assert_eq!(operator_chat.result()["owner"], 11);
}

#[tokio::test]
async fn dialog_get_unknown_is_access_error() {
    let emu = start().await;
    for params in [
        json!({"CHAT_ID": 999_999}),
        json!({"CHAT_ID": "abc"}),
        json!({"DIALOG_ID": "chat999999"}),
        json!({"DIALOG_ID": "12"}),
        json!({"SESSION_ID": 424_242}),
        json!({"USER_CODE": "livechat|9|9|9"}),
        json!({}),
        json!({"CHAT_ID": {"nested": true}}),
    ] {
        hook(&emu, DIALOG_GET, &params).await.assert_error(
            400,
            "ACCESS_ERROR",
            "You do not have access to the specified dialog",
        );
    }
}

#[tokio::test]
async fn dialog_get_accepts_session_auth() {
    let emu = start().await;
    let r = session(&emu, DIALOG_GET, &json!({"CHAT_ID": 102})).await;
    assert_eq!(r.result()["id"], 102);
}

fn chat_ids(r: &Reply) -> Vec<String> {
    r.result()
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            assert!(c["CHAT_ID"].is_string(), "CHAT_ID must be a string: {c}");
            assert!(c["CONNECTOR_ID"].is_string());
            assert!(c["CONNECTOR_TITLE"].is_string());
            c["CHAT_ID"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn crm_chat_get_lists_bound_chats() {
    let emu = start().await;
    let lead = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 201}),
    )
    .await;
    assert_eq!(chat_ids(&lead), vec!["101"]);
    assert_eq!(lead.result()[0]["CONNECTOR_ID"], "livechat");
    assert_eq!(lead.result()[0]["CONNECTOR_TITLE"], "Live Chat");

    let all = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "LEAD", "CRM_ENTITY": "201", "ACTIVE_ONLY": "N"}),
    )
    .await;
    assert_eq!(chat_ids(&all), vec!["101", "105"]);

    let contact = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "contact", "CRM_ENTITY": 301}),
    )
    .await;
    assert_eq!(chat_ids(&contact), vec!["101", "104"]);
    let deal = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "deal", "CRM_ENTITY": 401}),
    )
    .await;
    assert_eq!(chat_ids(&deal), vec!["102"]);
    assert_eq!(deal.result()[0]["CONNECTOR_ID"], "telegrambot");
    let company = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "company", "CRM_ENTITY": 501}),
    )
    .await;
    assert_eq!(chat_ids(&company), vec!["102"]);

    let none = hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 77_777}),
    )
    .await;
    assert_eq!(none.result(), &json!([]));
}

#[tokio::test]
async fn crm_chat_get_argument_errors() {
    let emu = start().await;
    let type_empty = "Argument 'CRM_ENTITY_TYPE' is null or empty";
    let entity_empty = "Argument 'CRM_ENTITY' is null or empty";
    let invalid = "The value of an argument 'CRM_ENTITY' has an invalid type";
    for (params, message) in [
        (json!({"CRM_ENTITY": 201}), type_empty),
        (
            json!({"CRM_ENTITY_TYPE": "", "CRM_ENTITY": 201}),
            type_empty,
        ),
        (json!({"CRM_ENTITY_TYPE": "lead"}), entity_empty),
        (
            json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": ""}),
            entity_empty,
        ),
        (json!({}), type_empty),
        (
            json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": "abc"}),
            invalid,
        ),
        (
            json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": [1, 2]}),
            invalid,
        ),
        (
            json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 2.5}),
            invalid,
        ),
    ] {
        hook(&emu, CRM_CHAT_GET, &params)
            .await
            .assert_error(400, "ERROR_ARGUMENT", message);
    }
    hook(
        &emu,
        CRM_CHAT_GET,
        &json!({"CRM_ENTITY_TYPE": "deal", "CRM_ENTITY": emu.restricted_deal_id()}),
    )
    .await
    .assert_error(
        403,
        "ACCESS_DENIED",
        "Access denied! You don't have access to this action",
    );
}
