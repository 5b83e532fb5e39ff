//! `Client::list` over the spec's offset- and cursor-paged methods, walked to the end against
//! the emulator's stateful lists (`im.recent.list` by `OFFSET` with `hasMore`,
//! `im.dialog.messages.get` by `LAST_ID`, thousands of items each;
//! `imopenlines.config.list.get` by `PARAMS.offset`, a param inside an object param).

use bitrix_api::{im, imopenlines, Client, Error, ListEnd, ListError, ListMethod, Paging};
use bitrix_emulator::{Config, Emulator};
use futures_util::StreamExt;

async fn portal(config: Config) -> (Emulator, Client) {
    let emu = Emulator::start(config).await.expect("the emulator starts");
    let client = Client::webhook_builder(&emu.webhook_url())
        .no_rate_limit()
        .build()
        .unwrap();
    (emu, client)
}

#[tokio::test]
async fn an_offset_list_is_walked_once_in_order_until_its_flag_says_no_more() {
    const {
        assert!(matches!(
            <im::RecentList as ListMethod>::PAGING,
            Paging::Offset(ListEnd::Flag)
        ))
    };
    let (emu, client) = portal(Config {
        recent_chats: 3000,
        ..Config::default()
    })
    .await;
    let request = im::RecentList::new().skip_openlines(true);
    let mut stream = std::pin::pin!(client.list(request));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap_or_else(|e| panic!("{e}")).chat_id);
    }
    let want: Vec<Option<i64>> = (2001..5001).map(Some).collect();
    assert_eq!(ids, want);
    let log = emu.requests();
    assert_eq!(
        log.len(),
        15,
        "15 pages of 200; the 15th says hasMore=false"
    );
    for (i, r) in log.iter().enumerate() {
        assert_eq!(r.params["OFFSET"], i as i64 * 200);
        assert_eq!(r.params["LIMIT"], 200);
        // The caller's own params travel with every page.
        assert_eq!(r.params["SKIP_OPENLINES"], "Y");
    }
}

#[tokio::test]
async fn a_cursor_list_is_walked_once_in_order_until_a_short_page() {
    const {
        assert!(matches!(
            <im::DialogMessagesGet as ListMethod>::PAGING,
            Paging::Cursor(ListEnd::Short)
        ))
    };
    let (emu, client) = portal(Config {
        dialog_messages: 3000,
        ..Config::default()
    })
    .await;
    let mut stream = std::pin::pin!(client.list(im::DialogMessagesGet::new("chat7")));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap_or_else(|e| panic!("{e}")).id);
    }
    // Newest first, back to the first message.
    let want: Vec<Option<i64>> = (10001..13001).rev().map(Some).collect();
    assert_eq!(ids, want);
    let log = emu.requests();
    assert_eq!(log.len(), 61, "60 full pages of 50, then an empty one");
    assert!(
        log[0].params.get("LAST_ID").is_none(),
        "the first page is the newest"
    );
    for (i, r) in log.iter().enumerate().skip(1) {
        assert_eq!(r.params["LAST_ID"], 13001 - 50 * i as i64);
        assert_eq!(r.params["LIMIT"], 50);
    }
}

#[tokio::test]
async fn a_page_that_does_not_move_the_cursor_ends_the_stream_with_an_error() {
    let (emu, client) = portal(Config {
        dialog_messages: 500,
        ..Config::default()
    })
    .await;
    // With FIRST_ID the portal ignores LAST_ID: every page is the same one.
    let request = im::DialogMessagesGet::new("chat7").first_id(10100);
    let mut stream = std::pin::pin!(client.list(request));
    let mut ok = 0;
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => ok += 1,
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(ok, 100, "the same page twice, then the stream ends");
    let [Error::List(ListError::Stuck { sent, next })] = errors.as_slice() else {
        panic!("one Stuck error: {errors:?}");
    };
    assert_eq!((*sent, *next), (10150, 10150));
    assert_eq!(emu.requests().len(), 2);
}

/// The ids of every open line a walk streams, and the `PARAMS` each request sent.
async fn walk_lines(
    lines: usize,
    request: imopenlines::ConfigListGet,
) -> (Vec<String>, Vec<serde_json::Value>) {
    let (emu, client) = portal(Config {
        open_lines: lines,
        ..Config::default()
    })
    .await;
    // Bounded, so that a walk that does not move on fails instead of running forever.
    let mut stream = std::pin::pin!(client.list(request).take(lines + 500));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        let line = item.unwrap_or_else(|e| panic!("{e}"));
        ids.push(line.id.unwrap_or_default());
    }
    let sent = emu
        .requests()
        .iter()
        .map(|r| r.params["PARAMS"].clone())
        .collect();
    (ids, sent)
}

fn line_ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| i.to_string()).collect()
}

#[tokio::test]
async fn an_offset_inside_an_object_param_is_walked_once_in_order_until_a_short_page() {
    const {
        assert!(matches!(
            <imopenlines::ConfigListGet as ListMethod>::PAGING,
            Paging::Offset(ListEnd::Short)
        ));
        assert!(<imopenlines::ConfigListGet as ListMethod>::PAGE_SIZE == 200);
    };
    // The caller's own PARAMS travel with every page, next to the walk's offset and limit.
    let request = imopenlines::ConfigListGet::new().params(
        imopenlines::ConfigListGetParams::new().select(vec!["ID".into(), "LINE_NAME".into()]),
    );
    let (ids, sent) = walk_lines(450, request).await;
    assert_eq!(ids, line_ids(450));
    assert_eq!(sent.len(), 3, "pages of 200, 200 and 50 (short: the last)");
    for (i, params) in sent.iter().enumerate() {
        assert_eq!(
            params,
            &serde_json::json!({"select": ["ID", "LINE_NAME"], "limit": 200, "offset": i * 200}),
        );
    }
}

#[tokio::test]
async fn an_object_param_left_out_is_made_by_the_walk() {
    let (ids, sent) = walk_lines(400, imopenlines::ConfigListGet::new()).await;
    assert_eq!(ids, line_ids(400));
    assert_eq!(sent.len(), 3, "two full pages, then an empty one");
    for (i, params) in sent.iter().enumerate() {
        assert_eq!(
            params,
            &serde_json::json!({"limit": 200, "offset": i * 200})
        );
    }
}
