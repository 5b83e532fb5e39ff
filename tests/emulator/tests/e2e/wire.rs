//! Parameter formats, method names, unknown methods, hostile input.

use bitrix_emulator::AuthKind;
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn unknown_method_is_404() {
    let emu = start().await;
    hook(&emu, "crm.deal.list", &json!({})).await.assert_error(
        404,
        "ERROR_METHOD_NOT_FOUND",
        "Method not found!",
    );
    let t = emu.issue_tokens();
    oauth(&emu, &t.access_token, "no.such.method.json", &json!({}))
        .await
        .assert_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
}

#[tokio::test]
async fn json_suffix_and_case_of_method_name() {
    let emu = start().await;
    let r = hook(
        &emu,
        "imopenlines.dialog.get.json",
        &json!({"CHAT_ID": 101}),
    )
    .await;
    assert_eq!(r.result()["id"], 101);
    let r = hook(&emu, "IMOPENLINES.Dialog.Get", &json!({"chat_id": 101})).await;
    assert_eq!(r.result()["id"], 101);
}

#[tokio::test]
async fn form_query_and_json_params() {
    let emu = start().await;
    let url = format!("{}imopenlines.crm.chat.get", emu.webhook_url());
    let form = post_raw(
        &url,
        "application/x-www-form-urlencoded",
        "CRM_ENTITY_TYPE=lead&CRM_ENTITY=201&ACTIVE_ONLY=N&FIELDS%5BNAME%5D=x&FIELDS[LIST][]=1&FIELDS[LIST][]=2",
    )
    .await;
    assert_eq!(form.result().as_array().unwrap().len(), 2);
    let query = get(&format!("{url}?CRM_ENTITY_TYPE=lead&CRM_ENTITY=201")).await;
    assert_eq!(query.result().as_array().unwrap().len(), 1);
    let body = post_json(&url, &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 201})).await;
    assert_eq!(body.result().as_array().unwrap().len(), 1);
    let multipart = post_raw(
        &url,
        "multipart/form-data; boundary=b0und",
        "--b0und\r\nContent-Disposition: form-data; name=\"CRM_ENTITY_TYPE\"\r\n\r\nlead\r\n--b0und\r\nContent-Disposition: form-data; name=\"CRM_ENTITY\"\r\n\r\n201\r\n--b0und--\r\n",
    )
    .await;
    assert_eq!(multipart.result().as_array().unwrap().len(), 1);

    let log = emu.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].method, "imopenlines.crm.chat.get");
    assert_eq!(log[0].auth, AuthKind::Webhook);
    assert_eq!(log[0].http_method, "POST");
    assert_eq!(
        log[0].params,
        json!({
            "CRM_ENTITY_TYPE": "lead",
            "CRM_ENTITY": "201",
            "ACTIVE_ONLY": "N",
            "FIELDS": {"NAME": "x", "LIST": ["1", "2"]}
        })
    );
    assert_eq!(log[1].http_method, "GET");
    assert_eq!(log[2].params["CRM_ENTITY"], 201);
}

#[tokio::test]
async fn hostile_input_gets_documented_errors() {
    let emu = start().await;
    let send = format!("{}imopenlines.bot.session.message.send", emu.webhook_url());
    // Broken JSON: no params, so the missing-parameter error.
    post_raw(&send, "application/json", "{\"CHAT_ID\": 10")
        .await
        .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    post_raw(&send, "application/json", "[1,2,3]")
        .await
        .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    post_raw(&send, "application/json", "\"just a string\"")
        .await
        .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    post_raw(&send, "text/plain", "\u{0}\u{1}garbage%%%[[[")
        .await
        .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    post_raw(
        &send,
        "application/x-www-form-urlencoded",
        "CHAT_ID[]=5&CHAT_ID[x]=1&%ZZ=1",
    )
    .await
    .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    // Wrong types for every parameter.
    let r = hook(
        &emu,
        "imopenlines.bot.session.transfer",
        &json!({"CHAT_ID": 1e300, "USER_ID": {"a": 1}, "CLIENT_ID": [1], "LEAVE": {}}),
    )
    .await;
    r.assert_error(400, "BOT_ID_ERROR", "Bot not found");
    let r = hook(
        &emu,
        "imopenlines.bot.session.transfer",
        &json!({"CHAT_ID": "101", "USER_ID": [12], "CLIENT_ID": emu.bot_client_id()}),
    )
    .await;
    r.assert_error(400, "USER_ID_EMPTY", "User ID can't be empty");
    let r = hook(
        &emu,
        "imopenlines.dialog.get",
        &json!({"DIALOG_ID": ["chat101"]}),
    )
    .await;
    r.assert_error(
        400,
        "ACCESS_ERROR",
        "You do not have access to the specified dialog",
    );
    let r = hook(
        &emu,
        "batch",
        &json!({"cmd": {"a": 5, "b": {"method": "x"}}, "halt": "yes"}),
    )
    .await;
    assert_eq!(
        r.result()["result_error"]["a"]["error"],
        "ERROR_METHOD_NOT_FOUND"
    );
    let r = hook(&emu, "batch", &json!({"cmd": "imopenlines.dialog.get"})).await;
    assert_eq!(r.result()["result"], json!([]));
    // The emulator is still healthy.
    let r = hook(&emu, "imopenlines.dialog.get", &json!({"CHAT_ID": 101})).await;
    assert_eq!(r.result()["id"], 101);
}

#[tokio::test]
async fn non_rest_paths_are_plain_404() {
    let emu = start().await;
    let r = get(&format!("{}/nothing/here", emu.base_url())).await;
    assert_eq!(r.status, 404);
}
