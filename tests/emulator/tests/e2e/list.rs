//! `user.get`: a paginated list with `total` / `next`, in batches too, and the fast mode.

use bitrix_emulator::Config;
use serde_json::json;

use super::common::*;

async fn directory(n: usize) -> bitrix_emulator::Emulator {
    start_with(Config {
        directory_users: n,
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn pages_of_fifty_with_total_and_next() {
    let emu = directory(120).await;
    let r = hook(&emu, "user.get", &json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["total"], 120);
    assert_eq!(r.json["next"], 50);
    let items = r.result().as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert_eq!(items[0]["ID"], "1001");
    let last = hook(&emu, "user.get", &json!({"start": 100})).await;
    assert_eq!(last.result().as_array().unwrap().len(), 20);
    assert!(last.json.get("next").is_none());
    assert_eq!(last.result()[19]["ID"], "1120");
}

#[tokio::test]
async fn the_fast_mode_counts_nothing_and_filters_by_id() {
    let emu = directory(120).await;
    let r = hook(
        &emu,
        "user.get",
        &json!({"start": -1, "FILTER": {">ID": 1100}}),
    )
    .await;
    assert_eq!(r.json["total"], 0);
    assert!(r.json.get("next").is_none());
    let items = r.result().as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["ID"], "1101");
}

#[tokio::test]
async fn batches_report_total_and_next_per_command() {
    let emu = directory(120).await;
    let r = hook(
        &emu,
        "batch",
        &json!({"cmd": {"a": "user.get?start=50", "b": "user.get?start=-1&FILTER[>ID]=1119"}}),
    )
    .await;
    assert_eq!(r.status, 200);
    let res = r.result();
    assert_eq!(res["result"]["a"].as_array().unwrap().len(), 50);
    assert_eq!(res["result_total"]["a"], 120);
    assert_eq!(res["result_next"]["a"], 100);
    assert_eq!(res["result"]["b"][0]["ID"], "1120");
    assert!(res["result_next"].get("b").is_none());
}
