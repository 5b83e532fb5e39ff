//! Measures receiving events: an `ONIMBOTMESSAGEADD` webhook delivery (a PHP form body) parsed,
//! checked and decoded into its typed payload, against parsing the same body into untyped maps.
//! Prints figures for BENCHMARKS.md. Run with `cargo run --release -p bitrix-api --example
//! bench_events`.

use bitrix_api::events::{self, Limits};
use std::time::{Duration, Instant};

const CT: &str = "application/x-www-form-urlencoded";

/// A delivery shaped like the portal's (the emulator's encoder writes it as PHP does).
fn body() -> String {
    let bot = serde_json::json!({
        "access_token": "b0t-access", "expires": "1771932585", "expires_in": "3600",
        "scope": "imbot", "domain": "portal.example.com",
        "server_endpoint": "https://oauth.example.com/rest/", "status": "L",
        "client_endpoint": "https://portal.example.com/rest/", "member_id": "m-0001",
        "refresh_token": "b0t-refresh", "user_id": "50", "client_id": "app.1",
        "application_token": "app-token",
        "AUTH": {"access_token": "b0t-access", "domain": "portal.example.com",
                 "member_id": "m-0001", "application_token": "app-token"},
        "BOT_ID": "50", "BOT_CODE": "support"
    });
    let envelope = serde_json::json!({
        "event": "ONIMBOTMESSAGEADD",
        "event_handler_id": "7",
        "data": {
            "BOT": {"50": bot},
            "PARAMS": {
                "MESSAGE": "Hello, I would like to know your opening hours, please",
                "TEMPLATE_ID": "0b7f8a2e-8d7c-4a55-9f1e-6f4d2f0c1a11", "MESSAGE_TYPE": "L",
                "FROM_USER_ID": "601", "DIALOG_ID": "chat101", "TO_CHAT_ID": "101",
                "AUTHOR_ID": "601", "SYSTEM": "N", "CHAT_ID": "101", "CHAT_TITLE": "Guest #1",
                "CHAT_AUTHOR_ID": "0", "CHAT_TYPE": "L", "CHAT_ENTITY_TYPE": "LINES",
                "CHAT_ENTITY_ID": "livechat|2|1101|601", "COMMAND_CONTEXT": "TEXTAREA",
                "MESSAGE_ID": "5003", "LANGUAGE": "en", "PUSH": "Y", "CONVERT": "N",
                "PLATFORM_CONTEXT": "web", "CHAT_USER_COUNT": "2"
            },
            "USER": {"ID": "601", "NAME": "Guest #1", "FIRST_NAME": "Guest", "LAST_NAME": "#1",
                     "WORK_POSITION": "", "GENDER": "", "IS_BOT": "N", "IS_CONNECTOR": "Y",
                     "IS_NETWORK": "N", "IS_EXTRANET": "Y"}
        },
        "ts": "1771928985",
        "auth": {"access_token": "user-access", "expires": "1771932585", "expires_in": "3600",
                 "scope": "imbot", "domain": "portal.example.com", "status": "L",
                 "server_endpoint": "https://oauth.example.com/rest/",
                 "client_endpoint": "https://portal.example.com/rest/", "member_id": "m-0001",
                 "user_id": "601", "refresh_token": "user-refresh",
                 "application_token": "app-token"}
    });
    bitrix_emulator::php_query::form_body(&envelope)
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn report(label: &str, n: usize, d: Duration) {
    println!(
        "  {label:<44} {:>9.0} events/s  {:>6.2} µs each",
        per_sec(n, d),
        d.as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    let body = body();
    let bytes = body.as_bytes();
    let limits = Limits::default();
    let expected = bitrix_api::Secret::new("app-token");
    let typed_once = || {
        let unverified = events::parse(CT, bytes, &limits).unwrap();
        let received = unverified.verify(Some(&expected)).unwrap();
        received.typed::<bitrix_api::Event>().unwrap()
    };
    // `events::receive` makes the same check with an `AppTokens` lookup; here without an async
    // runtime in the loop.
    match typed_once() {
        bitrix_api::Event::Imbot(e) => assert_eq!(e.name(), "ONIMBOTMESSAGEADD"),
        other => panic!("not typed: {other:?}"),
    }
    let n = 50_000;
    for _ in 0..2_000 {
        std::hint::black_box(typed_once());
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(typed_once());
    }
    let typed = t.elapsed();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(events::parse_form(std::hint::black_box(bytes), &limits).unwrap());
    }
    let tree = t.elapsed();
    let t = Instant::now();
    for _ in 0..n {
        let flat: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(std::hint::black_box(bytes))
                .into_owned()
                .collect();
        std::hint::black_box(flat);
    }
    let flat = t.elapsed();
    println!(
        "receive ONIMBOTMESSAGEADD as a PHP form body ({} bytes, {} fields), {n} times:",
        bytes.len(),
        body.split('&').count()
    );
    report("typed: parse + token check + typed payload", n, typed);
    report("untyped: PHP-rules tree only (parse_form)", n, tree);
    report("untyped: flat HashMap (url::form_urlencoded)", n, flat);
}
