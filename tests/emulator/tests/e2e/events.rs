//! Events: `imbot.register`, a customer's message POSTed to the handler as a PHP form,
//! the control endpoint, and `imbot.v2.Event.get`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{json, Value};

use super::common::{get, hook, post_json, start};

/// A handler on loopback that records every body it gets (content type, body) and answers 200.
async fn recorder() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/bot",
        post(move |headers: HeaderMap, body: Bytes| {
            let store = Arc::clone(&store);
            async move {
                let ct = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                store
                    .lock()
                    .unwrap()
                    .push((ct, String::from_utf8_lossy(&body).into_owned()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bot", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn register_params(emu: &bitrix_emulator::Emulator, url: &str) -> Value {
    json!({
        "CODE": "support", "TYPE": "O", "OPENLINE": "Y", "EVENT_MESSAGE_ADD": url,
        "CLIENT_ID": emu.bot_client_id(), "PROPERTIES": {"NAME": "Support"}
    })
}

#[tokio::test]
async fn register_checks_its_params() {
    let emu = start().await;
    let r = hook(
        &emu,
        "imbot.register",
        &json!({"CODE": "x", "PROPERTIES": {"NAME": "n"}}),
    )
    .await;
    r.assert_error(
        403,
        "ACCESS_DENIED",
        "Access denied! Client ID not specified",
    );
    let r = hook(
        &emu,
        "imbot.register",
        &json!({"CODE": "x", "CLIENT_ID": "c", "PROPERTIES": {"NAME": "n"}}),
    )
    .await;
    assert_eq!(r.error(), "EVENT_MESSAGE_ADD_ERROR");
    let r = hook(&emu, "imbot.register", &register_params(&emu, "ftp://x")).await;
    r.assert_error(400, "EVENT_MESSAGE_ADD_ERROR", "Wrong handler URL");
    assert_eq!(emu.bot_handler_url(), None);
    let r = hook(
        &emu,
        "imbot.register",
        &register_params(&emu, "http://127.0.0.1:9/b"),
    )
    .await;
    assert_eq!(r.result(), &json!(50));
    assert_eq!(
        emu.bot_handler_url().as_deref(),
        Some("http://127.0.0.1:9/b")
    );
}

#[tokio::test]
async fn a_customer_message_is_posted_as_a_php_form() {
    let emu = start().await;
    let (url, seen) = recorder().await;
    hook(&emu, "imbot.register", &register_params(&emu, &url))
        .await
        .result();
    let chat = emu.bot_chat_ids()[0];
    let sent = emu.customer_writes(chat, "Hello & good day").await.unwrap();
    let delivery = sent.delivery.expect("delivered");
    assert_eq!(delivery.status, Some(200));
    assert_eq!(delivery.event, "ONIMBOTMESSAGEADD");
    assert_eq!(emu.deliveries(), vec![delivery]);

    let bodies = seen.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1);
    let (ct, body) = &bodies[0];
    assert_eq!(ct, "application/x-www-form-urlencoded");
    let fields: Vec<&str> = body.split('&').collect();
    for want in [
        "event=ONIMBOTMESSAGEADD".to_string(),
        "data%5BPARAMS%5D%5BMESSAGE%5D=Hello+%26+good+day".to_string(),
        format!("data%5BPARAMS%5D%5BCHAT_ID%5D={chat}"),
        format!("data%5BPARAMS%5D%5BDIALOG_ID%5D=chat{chat}"),
        "data%5BPARAMS%5D%5BMESSAGE_TYPE%5D=L".to_string(),
        "data%5BPARAMS%5D%5BSYSTEM%5D=N".to_string(),
        "data%5BBOT%5D%5B50%5D%5BBOT_ID%5D=50".to_string(),
        "data%5BBOT%5D%5B50%5D%5BBOT_CODE%5D=support".to_string(),
        format!("auth%5Bapplication_token%5D={}", emu.application_token()),
        "auth%5Bstatus%5D=L".to_string(),
    ] {
        assert!(fields.contains(&want.as_str()), "{want} not in {body}");
    }
    assert!(fields
        .iter()
        .any(|f| f.starts_with("data%5BUSER%5D%5BID%5D=")));
    assert!(fields
        .iter()
        .any(|f| f.starts_with("data%5BBOT%5D%5B50%5D%5BAUTH%5D%5Baccess_token%5D=")));
    assert!(!body.contains("%5B%5D"), "no empty arrays: {body}");
    let snap = emu.chat(chat).unwrap();
    assert_eq!(
        snap.messages.last().map(String::as_str),
        Some("Hello & good day")
    );
}

#[tokio::test]
async fn the_control_endpoint_delivers_too_and_operator_chats_get_no_event() {
    let emu = start().await;
    let (url, seen) = recorder().await;
    hook(&emu, "imbot.register", &register_params(&emu, &url))
        .await
        .result();
    let chat = emu.bot_chat_ids()[0];
    let r = post_json(
        &format!("{}/_emulator/customer_message", emu.base_url()),
        &json!({"chat_id": chat, "text": "hi"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["delivery"]["status"], 200);
    let r = post_json(
        &format!("{}/_emulator/customer_message", emu.base_url()),
        &json!({"chat_id": emu.operator_chat_id(), "text": "hi"}),
    )
    .await;
    assert_eq!(r.json["delivery"], Value::Null, "{}", r.text);
    let r = get(&format!("{}/_emulator/deliveries", emu.base_url())).await;
    assert_eq!(r.json.as_array().map(Vec::len), Some(1), "{}", r.text);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let r = post_json(
        &format!("{}/_emulator/customer_message", emu.base_url()),
        &json!({"chat_id": 999_999, "text": "hi"}),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn fetch_mode_pages_through_every_event_once() {
    let emu = start().await;
    let chat = emu.bot_chat_ids()[0];
    for i in 0..5 {
        emu.customer_writes(chat, &format!("m{i}")).await.unwrap();
    }
    let token = emu.bot_client_id();
    hook(&emu, "imbot.v2.Event.get", &json!({"botToken": token}))
        .await
        .assert_error(400, "BOT_ID_REQUIRED", "Bot ID is required");
    hook(&emu, "imbot.v2.Event.get", &json!({"botId": 50}))
        .await
        .assert_error(400, "BOT_TOKEN_NOT_SPECIFIED", "Bot token is not specified");
    hook(
        &emu,
        "imbot.v2.Event.get",
        &json!({"botId": 51, "botToken": token}),
    )
    .await
    .assert_error(400, "BOT_NOT_FOUND", "Bot not found");
    let mut offset = None;
    let mut texts = Vec::new();
    loop {
        let mut params = json!({"botId": 50, "botToken": token, "limit": 2});
        if let Some(o) = offset {
            params["offset"] = json!(o);
        }
        let r = hook(&emu, "imbot.v2.Event.get", &params).await;
        let res = r.result().clone();
        for e in res["events"].as_array().unwrap() {
            assert_eq!(e["type"], "ONIMBOTV2MESSAGEADD");
            texts.push(e["data"]["message"]["text"].as_str().unwrap().to_string());
        }
        offset = res["nextOffset"].as_i64();
        if res["hasMore"] != json!(true) {
            break;
        }
    }
    assert_eq!(texts, ["m0", "m1", "m2", "m3", "m4"]);
    let r = hook(
        &emu,
        "imbot.v2.Event.get",
        &json!({"botId": 50, "botToken": token, "offset": offset}),
    )
    .await;
    assert_eq!(r.result()["events"], json!([]));
    assert_eq!(r.result()["nextOffset"], json!(offset));
}

#[tokio::test]
async fn a_v2_webhook_bot_gets_onimbotv2messageadd_and_no_fetch_events() {
    let emu = start().await;
    let (url, seen) = recorder().await;
    let token = emu.bot_client_id();
    let fields = |mode: &str, hook: &str| {
        json!({"fields": {"code": "v2bot", "botToken": token, "properties": {"name": "V2"},
                          "eventMode": mode, "webhookUrl": hook}})
    };
    hook(
        &emu,
        "imbot.v2.Bot.register",
        &json!({"fields": {"code": "x"}}),
    )
    .await
    .assert_error(400, "BOT_TOKEN_NOT_SPECIFIED", "Bot token is not specified");
    hook(&emu, "imbot.v2.Bot.register", &fields("push", &url))
        .await
        .assert_error(400, "BOT_INVALID_EVENT_MODE", "Invalid event mode");
    hook(&emu, "imbot.v2.Bot.register", &fields("webhook", ""))
        .await
        .assert_error(400, "BOT_WEBHOOK_URL_REQUIRED", "Webhook URL is required");
    let r = hook(&emu, "imbot.v2.Bot.register", &fields("webhook", &url)).await;
    assert_eq!(r.result()["bot"]["id"], 50);

    let chat = emu.bot_chat_ids()[0];
    let sent = emu.customer_writes(chat, "v2 hello").await.unwrap();
    assert_eq!(sent.delivery, None, "no imbot.register bot");
    let d = sent.v2_delivery.expect("delivered");
    assert_eq!(
        (d.event.as_str(), d.status),
        ("ONIMBOTV2MESSAGEADD", Some(200))
    );
    let bodies = seen.lock().unwrap().clone();
    let (ct, body) = &bodies[0];
    assert_eq!(ct, "application/x-www-form-urlencoded");
    let fields: Vec<&str> = body.split('&').collect();
    for want in [
        "event=ONIMBOTV2MESSAGEADD".to_string(),
        "data%5Bbot%5D%5Bid%5D=50".to_string(),
        "data%5Bbot%5D%5Bcode%5D=v2bot".to_string(),
        "data%5Bmessage%5D%5Btext%5D=v2+hello".to_string(),
        format!("data%5Bmessage%5D%5BchatId%5D={chat}"),
        "data%5Bmessage%5D%5BisSystem%5D=0".to_string(),
        format!("auth%5Bapplication_token%5D={}", emu.application_token()),
    ] {
        assert!(fields.contains(&want.as_str()), "{want} not in {body}");
    }
    let r = hook(
        &emu,
        "imbot.v2.Event.get",
        &json!({"botId": 50, "botToken": token}),
    )
    .await;
    assert_eq!(r.result()["events"], json!([]));
}
