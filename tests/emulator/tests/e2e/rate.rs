//! The leaky-bucket rate limit.

use std::time::Duration;

use bitrix_emulator::{Config, RateLimit};
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn limit_triggers_at_threshold_plus_one_and_drains() {
    let emu = start_with(Config {
        rate_limit: Some(RateLimit::new(5, 2)),
        ..Config::default()
    })
    .await;
    for i in 0..5 {
        let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
        assert_eq!(r.status, 200, "request {i}");
    }
    hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
    // A batch is one request, so it is refused too.
    hook(
        &emu,
        "batch",
        &json!({"cmd": {"a": "imopenlines.dialog.get?CHAT_ID=101"}}),
    )
    .await
    .assert_error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(dialog_status(&emu).await, 200);
    assert_eq!(dialog_status(&emu).await, 200);
    assert_eq!(dialog_status(&emu).await, 503);
}

#[tokio::test]
async fn off_by_default() {
    let emu = start().await;
    for _ in 0..60 {
        assert_eq!(dialog_status(&emu).await, 200);
    }
}

#[tokio::test]
async fn can_be_switched_on_later() {
    let emu = start().await;
    emu.set_rate_limit(Some(RateLimit::new(1, 1)));
    assert_eq!(dialog_status(&emu).await, 200);
    assert_eq!(dialog_status(&emu).await, 503);
    emu.set_rate_limit(None);
    assert_eq!(dialog_status(&emu).await, 200);
}
