//! Spec methods without a stateful handler: checked against the spec and answered with a
//! result of the documented shape; documented errors injected by method and code.

use bitrix_emulator::{Config, Emulator};
use serde_json::json;

use super::common::*;

const USER_LIST: &str = "imbot.chat.user.list";

#[tokio::test]
async fn a_spec_method_answers_its_documented_example() {
    let emu = start().await;
    let r = hook(&emu, USER_LIST, &json!({"CHAT_ID": 5, "CLIENT_ID": "bot"})).await;
    assert_eq!(r.result(), &json!([1269, 1271, 1291]));
    assert!(r.json["time"]["operating_reset_at"].is_i64());
    // Form params (text) fit integer params too, and the name's case does not matter.
    let form = post_raw(
        &format!("{}IMBOT.CHAT.USER.LIST.json", emu.webhook_url()),
        "application/x-www-form-urlencoded",
        "CHAT_ID=5&CLIENT_ID=bot",
    )
    .await;
    assert_eq!(form.result(), &json!([1269, 1271, 1291]));
    assert!(!Emulator::is_stateful(USER_LIST));
    assert!(Emulator::is_stateful("imopenlines.bot.session.finish"));
}

#[tokio::test]
async fn without_an_example_the_result_is_built_from_its_type() {
    let emu = start().await;
    // imopenlines.session.start: a boolean result.
    let r = hook(&emu, "imopenlines.session.start", &json!({"CHAT_ID": 5})).await;
    assert_eq!(r.result(), &json!(true));
}

#[tokio::test]
async fn unknown_methods_are_not_found() {
    let emu = start().await;
    let r = hook(&emu, "imbot.chat.no.such.method", &json!({})).await;
    r.assert_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
}

#[tokio::test]
async fn missing_params_get_the_documented_error_or_invalid_arg_value() {
    let emu = start().await;
    // A documented <PARAM>_EMPTY code.
    let r = hook(&emu, USER_LIST, &json!({"CLIENT_ID": "bot"})).await;
    r.assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    let r = hook(&emu, USER_LIST, &json!({"CHAT_ID": "", "CLIENT_ID": "bot"})).await;
    r.assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
    // A documented ERROR_ARGUMENT "Argument 'X' is null or empty".
    let r = hook(&emu, "imconnector.status", &json!({})).await;
    r.assert_error(
        400,
        "ERROR_ARGUMENT",
        "Argument 'CONNECTOR' is null or empty",
    );
    // Required on webhook calls only, with nothing documented for it.
    let r = hook(&emu, USER_LIST, &json!({"CHAT_ID": 5})).await;
    r.assert_error(
        400,
        "INVALID_ARG_VALUE",
        "Required parameter 'CLIENT_ID' is not given",
    );
}

#[tokio::test]
async fn params_of_the_wrong_wire_type_are_refused() {
    let emu = start().await;
    let r = hook(
        &emu,
        USER_LIST,
        &json!({"CHAT_ID": "five", "CLIENT_ID": "bot"}),
    )
    .await;
    r.assert_error(
        400,
        "INVALID_ARG_VALUE",
        "Parameter 'CHAT_ID' must be an integer",
    );
    let r = hook(&emu, "imconnector.status", &json!({"CONNECTOR": {"a": 1}})).await;
    r.assert_error(
        400,
        "INVALID_ARG_VALUE",
        "Parameter 'CONNECTOR' must be a string",
    );
}

#[tokio::test]
async fn a_missing_scope_is_insufficient_scope() {
    let emu = start_with(Config {
        scopes: Some(vec!["imbot".into()]),
        ..Config::default()
    })
    .await;
    let r = hook(&emu, "imconnector.status", &json!({"CONNECTOR": "c"})).await;
    r.assert_error(
        403,
        "insufficient_scope",
        "The request requires higher privileges than provided by the webhook token",
    );
    // Stateful methods are limited too (imopenlines.dialog.get needs imopenlines).
    let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(r.error(), "insufficient_scope");
    let r = hook(&emu, USER_LIST, &json!({"CHAT_ID": 5, "CLIENT_ID": "bot"})).await;
    assert_eq!(r.result(), &json!([1269, 1271, 1291]));
    emu.set_scopes(None);
    let r = hook(&emu, "imconnector.status", &json!({"CONNECTOR": "c"})).await;
    assert!(r.result().is_object());
    // Inside a batch, per command.
    emu.set_scopes(Some(&["imbot"]));
    let r = hook(
        &emu,
        "batch",
        &json!({"cmd": {"s": "imconnector.status?CONNECTOR=c", "u": "imbot.chat.user.list?CHAT_ID=5&CLIENT_ID=b"}}),
    )
    .await;
    let result = r.result();
    assert_eq!(result["result_error"]["s"]["error"], "insufficient_scope");
    assert_eq!(result["result"]["u"], json!([1269, 1271, 1291]));
}

#[tokio::test]
async fn documented_errors_are_injected_by_method_and_code() {
    let emu = start().await;
    let params = json!({"CHAT_ID": 5, "CLIENT_ID": "bot"});
    emu.inject_documented_error(USER_LIST, "APP_ID_ERROR", 2)
        .unwrap();
    for _ in 0..2 {
        let r = hook(&emu, USER_LIST, &params).await;
        r.assert_error(
            400,
            "APP_ID_ERROR",
            "Bot was installed by another rest application",
        );
    }
    assert!(hook(&emu, USER_LIST, &params).await.result().is_array());
    // System errors, on stateful methods too.
    emu.inject_documented_error(DIALOG_GET, "OVERLOAD_LIMIT", 1)
        .unwrap();
    let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    r.assert_error(503, "OVERLOAD_LIMIT", "REST API is blocked due to overload");
    // Codes the method does not document are refused.
    assert!(emu
        .inject_documented_error(USER_LIST, "OPERATOR_WRONG", 1)
        .is_err());
    assert!(emu
        .inject_documented_error("no.such.method", "APP_ID_ERROR", 1)
        .is_err());
}

#[tokio::test]
async fn errors_inside_the_result_are_injected_as_documented() {
    let emu = start().await;
    emu.inject_documented_error("imconnector.register", "CONNECTOR_ID_REQUIRED", 1)
        .unwrap();
    let r = hook(&emu, "imconnector.register", &json!({})).await;
    let result = r.result();
    assert_eq!(result["error"], "CONNECTOR_ID_REQUIRED");
    assert_eq!(result["error_description"], "Connector ID is not specified");
    // The result's other always-present fields are there, as in the documented answer.
    assert!(result["result"].is_boolean(), "{result}");
}

#[tokio::test]
async fn documented_errors_are_injected_over_http() {
    let emu = start().await;
    let url = format!("{}/_emulator/fault", emu.base_url());
    let ok = post_json(
        &url,
        &json!({"fault": "documented", "method": USER_LIST, "code": "BOT_ID_ERROR", "times": 1}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let r = hook(&emu, USER_LIST, &json!({"CHAT_ID": 5, "CLIENT_ID": "bot"})).await;
    r.assert_error(400, "BOT_ID_ERROR", "Bot not found");
    let bad = post_json(
        &url,
        &json!({"fault": "documented", "method": USER_LIST, "code": "NOPE"}),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error(), "INVALID_REQUEST");
}
