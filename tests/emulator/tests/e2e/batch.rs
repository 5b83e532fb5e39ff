//! `batch`.

use serde_json::{json, Value};

use super::common::*;

#[tokio::test]
async fn batch_runs_commands_and_collects_errors() {
    let emu = start().await;
    let r = hook(
        &emu,
        "batch",
        &json!({
            "halt": 0,
            "cmd": {
                "dialog": "imopenlines.dialog.get?CHAT_ID=101",
                "chats": "imopenlines.crm.chat.get?CRM_ENTITY_TYPE=lead&CRM_ENTITY=201",
                "bad": "imopenlines.dialog.get?CHAT_ID=999999",
                "nope": "no.such.method",
                "nested": "batch?cmd[a]=imopenlines.dialog.get"
            }
        }),
    )
    .await;
    let res = r.result();
    assert_eq!(res["result"]["dialog"]["id"], 101);
    assert_eq!(res["result"]["chats"][0]["CHAT_ID"], "101");
    assert_eq!(res["result_error"]["bad"]["error"], "ACCESS_ERROR");
    assert_eq!(
        res["result_error"]["bad"]["error_description"],
        "You do not have access to the specified dialog"
    );
    assert_eq!(
        res["result_error"]["nope"]["error"],
        "ERROR_METHOD_NOT_FOUND"
    );
    assert_eq!(
        res["result_error"]["nested"]["error"],
        "ERROR_BATCH_METHOD_NOT_ALLOWED"
    );
    assert!(res["result_time"]["dialog"]["duration"].is_number());
    assert!(res["result_time"].get("bad").is_none());
    assert_eq!(res["result_total"], json!([]));
    assert_eq!(res["result_next"], json!([]));
}

#[tokio::test]
async fn batch_halt_stops_at_first_error_in_sent_order() {
    let emu = start().await;
    let t = emu.issue_tokens();
    // Written out by hand: a serde_json object would sort the keys, and the
    // point here is that the emulator keeps the order they were sent in.
    let body = format!(
        r#"{{"halt": 1, "auth": "{}", "cmd": {{
            "z_first": "imopenlines.dialog.get?CHAT_ID=101",
            "m_fails": "imopenlines.bot.session.finish?CHAT_ID=0",
            "a_never": "imopenlines.bot.session.finish?CHAT_ID=102"
        }}}}"#,
        t.access_token
    );
    let r = post_raw(
        &format!("{}batch", emu.rest_url()),
        "application/json",
        &body,
    )
    .await;
    let res = r.result();
    assert_eq!(res["result"]["z_first"]["id"], 101);
    assert_eq!(res["result_error"]["m_fails"]["error"], "CHAT_ID_EMPTY");
    assert!(res["result"].get("a_never").is_none());
    assert!(res["result_error"].get("a_never").is_none());
    assert!(
        emu.chat(102).unwrap().session_open,
        "halted command must not run"
    );
}

#[tokio::test]
async fn batch_all_ok_has_empty_error_list() {
    let emu = start().await;
    let r = hook(
        &emu,
        "batch.json",
        &json!({"cmd": ["imopenlines.dialog.get?CHAT_ID=101", "imopenlines.dialog.get?DIALOG_ID=chat102"]}),
    )
    .await;
    let res = r.result();
    assert_eq!(res["result"][0]["id"], 101);
    assert_eq!(res["result"][1]["id"], 102);
    assert_eq!(res["result_error"], json!([]));
}

#[tokio::test]
async fn batch_limit_is_fifty_commands() {
    let emu = start().await;
    let mut cmd = serde_json::Map::new();
    for i in 0..52 {
        cmd.insert(
            format!("c{i:02}"),
            json!("imopenlines.dialog.get?CHAT_ID=101"),
        );
    }
    let r = hook(&emu, "batch", &json!({ "cmd": Value::Object(cmd) })).await;
    let res = r.result();
    assert_eq!(res["result"].as_object().unwrap().len(), 50);
    let errs = res["result_error"].as_object().unwrap();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs["c50"]["error"], "ERROR_BATCH_LENGTH_EXCEEDED");
    assert_eq!(
        errs["c51"]["error_description"],
        "Max batch length exceeded"
    );
}

#[tokio::test]
async fn batch_form_encoded_with_result_reference() {
    let emu = start().await;
    let body = "halt=0\
        &cmd[chats]=imopenlines.crm.chat.get%3FCRM_ENTITY_TYPE%3Ddeal%26CRM_ENTITY%3D401\
        &cmd[dialog]=imopenlines.dialog.get%3FCHAT_ID%3D%24result%5Bchats%5D%5B0%5D%5BCHAT_ID%5D";
    let r = post_raw(
        &format!("{}batch", emu.webhook_url()),
        "application/x-www-form-urlencoded",
        body,
    )
    .await;
    let res = r.result();
    assert_eq!(res["result"]["dialog"]["id"], 102, "{}", r.text);
}

#[tokio::test]
async fn batch_bot_methods_over_session_auth_fail_per_command() {
    let emu = start().await;
    let r = session(
        &emu,
        "batch",
        &json!({"cmd": {"f": "imopenlines.bot.session.finish?CHAT_ID=101", "d": "imopenlines.dialog.get?CHAT_ID=101"}}),
    )
    .await;
    let res = r.result();
    assert_eq!(res["result_error"]["f"]["error"], "WRONG_AUTH_TYPE");
    assert_eq!(res["result"]["d"]["id"], 101);
}
