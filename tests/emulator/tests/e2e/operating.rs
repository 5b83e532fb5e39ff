//! The per-method operating-time budget and the refusal counters.

use std::time::Duration;

use bitrix_emulator::{Config, OperatingLimit, RateLimit};
use serde_json::json;

use super::common::*;

fn budget() -> OperatingLimit {
    OperatingLimit {
        budget: Duration::from_millis(250),
        window: Duration::from_millis(1500),
        cost: Duration::from_millis(100),
    }
}

#[tokio::test]
async fn a_method_over_its_budget_is_refused_until_its_basket_leaves() {
    let emu = start_with(Config {
        operating_limit: Some(budget()),
        ..Config::default()
    })
    .await;
    // Checked before each call: 0, 0.1, 0.2 are within 0.25 s; 0.3 is not.
    for i in 0..3 {
        let r = hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
        assert_eq!(r.status, 200, "call {i}");
        let used = r.json["time"]["operating"].as_f64().unwrap();
        assert!((used - 0.1 * f64::from(i + 1)).abs() < 1e-9, "{used}");
    }
    hook(&emu, DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(
            429,
            "OPERATION_TIME_LIMIT",
            "Method is blocked due to operation time limit.",
        );
    // Other methods keep working; inside a batch the blocked method is refused per command.
    let r = hook(
        &emu,
        "batch",
        &json!({"cmd": {
            "a": "imopenlines.dialog.get?CHAT_ID=101",
            "b": "imopenlines.crm.chat.get?CRM_ENTITY_TYPE=lead&CRM_ENTITY=201"
        }}),
    )
    .await;
    assert_eq!(
        r.result()["result_error"]["a"]["error"],
        "OPERATION_TIME_LIMIT"
    );
    assert!(r.result()["result"].get("b").is_some());
    assert_eq!(emu.operating_refusals(), 2);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(dialog_status(&emu).await, 200);
}

#[tokio::test]
async fn refusals_are_counted_and_shown_over_http() {
    let emu = start_with(Config {
        rate_limit: Some(RateLimit::new(1, 1)),
        ..Config::default()
    })
    .await;
    assert_eq!(dialog_status(&emu).await, 200);
    assert_eq!(dialog_status(&emu).await, 503);
    // Injected refusals are not the limit's.
    emu.inject_rate_storm(1);
    assert_eq!(emu.rate_refusals(), 1);
    let limits = get(&format!("{}/_emulator/limits", emu.base_url())).await;
    assert_eq!(limits.json["rate_refusals"], 1);
    assert_eq!(limits.json["operating_refusals"], 0);
    emu.reset_refusal_counters();
    assert_eq!(emu.rate_refusals(), 0);
}
