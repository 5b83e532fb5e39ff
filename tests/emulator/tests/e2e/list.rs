//! Paginated lists: `user.get` with `total` / `next`, in batches too, and the fast mode;
//! `im.recent.list` by `OFFSET`; `im.dialog.messages.get` by message id;
//! `imopenlines.config.list.get` by `PARAMS.offset`.

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

#[tokio::test]
async fn recent_chats_page_by_offset_with_has_more() {
    let emu = start_with(Config {
        recent_chats: 450,
        ..Config::default()
    })
    .await;
    let r = hook(
        &emu,
        "im.recent.list",
        &json!({"OFFSET": 200, "LIMIT": 500}),
    )
    .await;
    assert_eq!(r.status, 200);
    let items = r.result()["items"].as_array().unwrap();
    assert_eq!(items.len(), 200, "LIMIT is capped at 200");
    assert_eq!(items[0]["chat_id"], 2201);
    assert_eq!(items[0]["id"], "chat2201");
    assert_eq!(r.result()["hasMore"], true);
    let last = hook(&emu, "im.recent.list", &json!({"OFFSET": 400})).await;
    assert_eq!(last.result()["items"].as_array().unwrap().len(), 50);
    assert_eq!(last.result()["hasMore"], false);
    assert_eq!(last.result()["hasMorePages"], false);
}

#[tokio::test]
async fn dialog_messages_page_by_last_and_first_id() {
    let emu = start_with(Config {
        dialog_messages: 100,
        ..Config::default()
    })
    .await;
    let ids = |r: &Reply| -> Vec<i64> {
        r.result()["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect()
    };
    let newest = hook(
        &emu,
        "im.dialog.messages.get",
        &json!({"DIALOG_ID": "chat7"}),
    )
    .await;
    assert_eq!(ids(&newest), (10081..10101).rev().collect::<Vec<_>>());
    let older = hook(
        &emu,
        "im.dialog.messages.get",
        &json!({"DIALOG_ID": "chat7", "LAST_ID": 10003, "LIMIT": 50}),
    )
    .await;
    assert_eq!(ids(&older), [10002, 10001]);
    let newer = hook(
        &emu,
        "im.dialog.messages.get",
        &json!({"DIALOG_ID": "chat7", "FIRST_ID": 10098}),
    )
    .await;
    assert_eq!(ids(&newer), [10099, 10100]);
    let none = hook(&emu, "im.dialog.messages.get", &json!({})).await;
    assert_eq!(none.status, 400);
    assert_eq!(none.json["error"], "DIALOG_ID_EMPTY");
}

#[tokio::test]
async fn open_lines_page_by_offset_inside_params() {
    let emu = start_with(Config {
        open_lines: 250,
        ..Config::default()
    })
    .await;
    let ids = |r: &Reply| -> Vec<String> {
        r.result()
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["ID"].as_str().unwrap().to_owned())
            .collect()
    };
    let method = "imopenlines.config.list.get";
    let first = hook(&emu, method, &json!({})).await;
    assert_eq!(ids(&first).len(), 50, "50 lines when limit is left out");
    assert_eq!(ids(&first)[0], "1");
    assert_eq!(first.result()[0]["LINE_NAME"], "Line 1");
    assert!(first.json.get("total").is_none(), "a bare array, no total");
    let big = hook(
        &emu,
        method,
        &json!({"PARAMS": {"limit": 500, "offset": 10, "select": ["ID"]}}),
    )
    .await;
    assert_eq!(ids(&big).len(), 200, "limit is capped at 200");
    assert_eq!(ids(&big)[0], "11");
    // A form sends the fields as strings.
    let form = post_raw(
        &format!("{}{method}", emu.webhook_url()),
        "application/x-www-form-urlencoded",
        "PARAMS[offset]=240&PARAMS[limit]=200",
    )
    .await;
    assert_eq!(
        ids(&form),
        (241..=250).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    let past = hook(&emu, method, &json!({"PARAMS": {"offset": 900}})).await;
    assert!(ids(&past).is_empty());
    let unsupported = hook(&emu, method, &json!({"PARAMS": {"start": 50}})).await;
    unsupported.assert_error(
        400,
        "INVALID_FORMAT",
        "Unsupported PARAMS fields are passed: start",
    );
    let negative = hook(&emu, method, &json!({"PARAMS": {"offset": -1}})).await;
    negative.assert_error(
        400,
        "INVALID_FORMAT",
        "A non-negative integer is expected in the PARAMS field 'offset'",
    );
}
