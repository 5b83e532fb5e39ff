//! The `/_emulator/*` control endpoints and the Rust handle's lifecycle.

use serde_json::json;

use super::common::*;

#[tokio::test]
async fn control_endpoints() {
    let emu = start().await;
    let base = emu.base_url();

    let info = get(&format!("{base}/_emulator/info")).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json["webhook_url"], emu.webhook_url());
    assert_eq!(info.json["bot_client_id"], emu.bot_client_id());
    assert_eq!(info.json["queue_id"], emu.queue_id());
    assert_eq!(info.json["bot_chat_ids"], json!(emu.bot_chat_ids()));

    let tokens = post_json(&format!("{base}/_emulator/tokens"), &json!({})).await;
    let access = tokens.json["access_token"].as_str().unwrap().to_owned();
    let ok = oauth(
        &emu,
        &access,
        "imopenlines.dialog.get",
        &json!({"CHAT_ID": 101}),
    )
    .await;
    assert_eq!(ok.status, 200);

    let r = post_json(&format!("{base}/_emulator/expire_tokens"), &json!({})).await;
    assert_eq!(r.status, 200);
    let expired = oauth(
        &emu,
        &access,
        "imopenlines.dialog.get",
        &json!({"CHAT_ID": 101}),
    )
    .await;
    assert_eq!(expired.error(), "expired_token");

    let r = post_json(
        &format!("{base}/_emulator/app_has_bot"),
        &json!({"value": false}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(!emu.app_has_bot());
    let r = post_json(
        &format!("{base}/_emulator/app_has_bot"),
        &json!({"value": "nope"}),
    )
    .await;
    assert_eq!(r.status, 400);

    let log = get(&format!("{base}/_emulator/requests")).await;
    let entries = log.json.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["method"], "imopenlines.dialog.get");
    assert_eq!(entries[0]["auth"], "oauth");
    assert_eq!(entries[1]["error"], "expired_token");
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let emu = start().await;
    let url = format!("{}/_emulator/info", emu.base_url());
    assert_eq!(get(&url).await.status, 200);
    emu.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let fresh = bitrix_emulator::http_client()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    assert!(fresh.get(&url).send().await.is_err());
}
