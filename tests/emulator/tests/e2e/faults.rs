//! Injected faults.

use std::time::{Duration, Instant};

use bitrix_emulator::Fault;
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn html_502_for_the_next_n_requests() {
    let emu = start().await;
    emu.inject_fault(Fault::Html502, 2);
    for _ in 0..2 {
        let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
        assert_eq!(r.status, 502);
        assert!(r.content_type.starts_with("text/html"));
        assert!(r.text.contains("502 Bad Gateway"));
        assert!(r.text.contains("nginx"));
    }
    let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(r.result()["id"], 101);
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].fault, Some(Fault::Html502));
    assert_eq!(log[0].status, 502);
    assert_eq!(log[2].fault, None);
}

#[tokio::test]
async fn truncated_json_body() {
    let emu = start().await;
    emu.inject_fault(Fault::Truncated, 1);
    let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/json"));
    assert!(r.text.starts_with("{\""));
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    let ok = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(ok.result()["id"], 101);
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let emu = start().await;
    emu.inject_fault(Fault::Delay(Duration::from_millis(300)), 1);
    let t0 = Instant::now();
    let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.result()["id"], 101);
    let t1 = Instant::now();
    hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert!(t1.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn fault_for_one_method_only() {
    let emu = start().await;
    emu.inject_fault_for("imopenlines.crm.chat.get", Fault::Html502, 1);
    let other = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(other.status, 200);
    let hit = hook(
        &emu,
        "imopenlines.crm.chat.get.json",
        &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 201}),
    )
    .await;
    assert_eq!(hit.status, 502);
    let after = hook(
        &emu,
        "imopenlines.crm.chat.get",
        &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 201}),
    )
    .await;
    assert_eq!(after.status, 200);
}

#[tokio::test]
async fn faults_over_http() {
    let emu = start().await;
    let url = format!("{}/_emulator/fault", emu.base_url());
    let r = post_json(&url, &json!({"fault": "html502", "times": 1})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post_json(&url, &json!({"fault": "truncated", "method": DIALOG_GET})).await;
    assert_eq!(r.status, 200);
    let r = post_json(&url, &json!({"fault": "delay", "delay_ms": 200})).await;
    assert_eq!(r.status, 200);

    assert_eq!(dialog_status(&emu).await, 502);
    let truncated = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert!(truncated.json.is_null() && truncated.status == 200);
    let t0 = Instant::now();
    assert_eq!(dialog_status(&emu).await, 200);
    assert!(t0.elapsed() >= Duration::from_millis(200));

    // Bad fault requests are refused, not crashed on.
    assert_eq!(
        post_json(&url, &json!({"fault": "meteor"})).await.status,
        400
    );
    assert_eq!(
        post_json(&url, &json!({"fault": "delay"})).await.status,
        400
    );
    assert_eq!(
        post_raw(&url, "application/json", "{not json").await.status,
        400
    );

    // Clearing drops pending faults.
    post_json(&url, &json!({"fault": "html502", "times": 5})).await;
    let cleared = bitrix_emulator::http_client()
        .no_proxy()
        .build()
        .unwrap()
        .delete(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 200);
    assert_eq!(dialog_status(&emu).await, 200);
}

#[tokio::test]
async fn injected_error_answer() {
    let emu = start().await;
    emu.inject_fault(
        Fault::Error {
            status: 403,
            code: "WRONG_AUTH_TYPE".into(),
            message: "Access for this method not allowed by session authorization".into(),
        },
        1,
    );
    hook(
        &emu,
        "imopenlines.bot.session.finish",
        &json!({"CHAT_ID": 101, "CLIENT_ID": emu.bot_client_id()}),
    )
    .await
    .assert_error(
        403,
        "WRONG_AUTH_TYPE",
        "Access for this method not allowed by session authorization",
    );
    assert!(
        emu.chat(101).unwrap().session_open,
        "the method did not run"
    );

    let url = format!("{}/_emulator/fault", emu.base_url());
    let r = post_json(
        &url,
        &json!({"fault": "error", "status": 418, "code": "SOMETHING_NEW", "message": "later"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(418, "SOMETHING_NEW", "later");
    assert_eq!(
        post_json(&url, &json!({"fault": "error"})).await.status,
        400
    );
    assert_eq!(
        post_json(&url, &json!({"fault": "error", "code": "X", "status": 42}))
            .await
            .status,
        400
    );
    let log = emu.requests();
    assert_eq!(log[0].error.as_deref(), Some("WRONG_AUTH_TYPE"));
    assert!(matches!(
        log[1].fault,
        Some(Fault::Error { status: 418, .. })
    ));
}
