//! Bulk work at the portal's limits, against the emulator: the client-side bucket, the
//! operating-time budget, the retry rule, bulk runs and list streams. The emulator's clock
//! runs fast (short drain ticks and windows) so the tests stay quick; none of them is timed.

use bitrix_api::imopenlines::{
    BotSessionMessageSend, BotSessionOperator, BotSessionOperatorError, DialogGet,
};
use bitrix_api::{Client, Error, ListMethod, Method, RateLimit, RetryPolicy, SystemError};
use bitrix_emulator::{Config, Emulator, Fault, OperatingLimit};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One drain tick of the emulator's (and the client's) bucket: 10 times faster than a portal.
const TICK: Duration = Duration::from_millis(100);

async fn start(config: Config) -> Emulator {
    Emulator::start(config).await.expect("the emulator starts")
}

/// A portal with the standard bucket (X = 50, Y = 2) on a fast clock.
fn limited() -> Config {
    Config {
        rate_limit: Some(bitrix_emulator::RateLimit::new(50, 2).with_tick(TICK)),
        ..Config::default()
    }
}

/// A client whose bucket mirrors [`limited`]. Delivery jitter is not scaled with the clock, so
/// it is a larger share of it, and the tests of one binary run in parallel on a shared machine:
/// 1 s of jitter keeps 20 requests in reserve at 20 a second, so that a scheduling delay of a
/// loaded machine does not bunch requests past the portal's limit.
fn client(emu: &Emulator) -> bitrix_api::ClientBuilder {
    let limit = RateLimit::standard()
        .with_period(TICK)
        .with_jitter(Duration::from_secs(1));
    Client::webhook_builder(&emu.webhook_url()).rate_limit(limit)
}

fn requests_of(emu: &Emulator, method: &str) -> usize {
    emu.requests().iter().filter(|r| r.method == method).count()
}

#[tokio::test]
async fn many_tasks_in_bulk_are_answered_once_each_and_never_refused() {
    let emu = start(limited()).await;
    let c = client(&emu).build().unwrap();
    let chat = emu.bot_chat_ids()[0];
    let before = emu.chat(chat).unwrap().messages.len();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let calls = (0..300)
                .map(move |i| BotSessionMessageSend::new(chat).message(format!("t{t} m{i}")));
            let bulk = c.batch_all(calls).await;
            let mut single = Vec::new();
            for i in 0..10 {
                let m = BotSessionMessageSend::new(chat).message(format!("t{t} s{i}"));
                single.push(c.call(m).await);
            }
            (bulk, single)
        }));
    }
    for t in tasks {
        let (bulk, single) = t.await.unwrap();
        assert_eq!(bulk.len(), 300);
        for r in bulk.iter().chain(single.iter()) {
            assert!(matches!(r, Ok(true)), "{r:?}");
        }
    }
    let messages = emu.chat(chat).unwrap().messages;
    assert_eq!(messages.len() - before, 8 * 310);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &messages[before..] {
        *seen.entry(m.as_str()).or_default() += 1;
    }
    assert!(seen.values().all(|&n| n == 1), "a call ran twice");
    assert_eq!(seen.len(), 8 * 310);
    assert_eq!(emu.rate_refusals(), 0, "the portal refused requests");
    assert_eq!(c.limit_stats().refusals(), 0);
    // 8 x 6 batches + 80 single calls.
    assert_eq!(emu.requests().len(), 8 * 6 + 80);
}

#[tokio::test]
async fn a_503_storm_is_waited_out() {
    let emu = start(limited()).await;
    let c = client(&emu).build().unwrap();
    let chat = emu.bot_chat_ids()[0];
    emu.inject_rate_storm(12);
    let sent = c.call(BotSessionMessageSend::new(chat).message("after the storm"));
    assert!(sent.await.unwrap());
    assert_eq!(c.limit_stats().rate_refusals, 12);
    assert_eq!(
        requests_of(&emu, "imopenlines.bot.session.message.send"),
        13
    );
    // The storm also hits batches; their calls still end with their own answers.
    emu.inject_rate_storm(3);
    let all = c
        .batch_all((0..60).map(|i| BotSessionMessageSend::new(chat).message(format!("b{i}"))))
        .await;
    assert!(all.iter().all(|r| matches!(r, Ok(true))));
    assert_eq!(c.limit_stats().rate_refusals, 15);
    let messages = emu.chat(chat).unwrap().messages;
    for i in 0..60 {
        let text = format!("b{i}");
        assert_eq!(messages.iter().filter(|m| **m == text).count(), 1, "{text}");
    }
    assert_eq!(emu.rate_refusals(), 0, "only injected refusals");
}

#[tokio::test]
async fn refusals_are_returned_once_the_deadline_has_passed() {
    let emu = start(limited()).await;
    let c = client(&emu)
        .retry_policy(RetryPolicy {
            refusal_deadline: Duration::from_millis(300),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    emu.inject_rate_storm(10_000);
    let e = c.call(DialogGet::new().chat_id(101)).await.unwrap_err();
    assert!(
        matches!(e, Error::System(SystemError::QueryLimitExceeded(_))),
        "{e:?}"
    );
    emu.clear_faults();
}

#[tokio::test]
async fn an_injected_operation_time_limit_is_waited_out() {
    let emu = start(Config::default()).await;
    let c = Client::webhook_builder(&emu.webhook_url())
        .operating_pause(Duration::from_millis(200))
        .build()
        .unwrap();
    emu.inject_operation_time_limit("imopenlines.dialog.get", 2);
    let dialog = c.call(DialogGet::new().chat_id(101)).await.unwrap();
    assert_eq!(dialog.id, Some(101));
    let stats = c.limit_stats();
    assert_eq!(stats.operating_refusals, 2);
    assert!(stats.waited >= Duration::from_millis(350), "{stats:?}");
    // The refusal is a typed system error when repeats are off.
    emu.inject_operation_time_limit("imopenlines.dialog.get", 1);
    let never = Client::webhook_builder(&emu.webhook_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let e = never.call(DialogGet::new().chat_id(101)).await.unwrap_err();
    match &e {
        Error::System(SystemError::OperationTimeLimit(a)) => assert_eq!(a.status, 429),
        other => panic!("{other:?}"),
    }
    assert!(e.is_refused_before_running());
}

#[tokio::test]
async fn calls_are_paced_by_the_operating_budget_instead_of_refused() {
    let emu = start(Config {
        operating_limit: Some(OperatingLimit {
            budget: Duration::from_millis(500),
            window: Duration::from_secs(3),
            cost: Duration::from_millis(100),
        }),
        ..Config::default()
    })
    .await;
    let c = Client::webhook_builder(&emu.webhook_url())
        .operating_budget(Some(Duration::from_millis(500)))
        .build()
        .unwrap();
    for _ in 0..8 {
        c.call(DialogGet::new().chat_id(101)).await.unwrap();
    }
    assert_eq!(emu.operating_refusals(), 0);
    assert_eq!(c.limit_stats().refusals(), 0);
    assert!(
        c.limit_stats().waits >= 1,
        "the client waited for the reset"
    );
}

#[tokio::test]
async fn the_operating_budget_inside_batches_is_waited_out() {
    let emu = start(Config {
        operating_limit: Some(OperatingLimit {
            budget: Duration::from_millis(2_000),
            window: Duration::from_secs(2),
            cost: Duration::from_millis(100),
        }),
        ..Config::default()
    })
    .await;
    let c = Client::webhook_builder(&emu.webhook_url())
        .operating_pause(Duration::from_millis(300))
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    // 21 calls fit in the budget (it is checked before each call); the rest wait.
    let all = c
        .batch_all((0..40).map(|i| BotSessionMessageSend::new(chat).message(format!("o{i}"))))
        .await;
    assert!(all.iter().all(|r| matches!(r, Ok(true))), "{all:?}");
    assert!(emu.operating_refusals() > 0);
    assert_eq!(c.limit_stats().operating_refusals, emu.operating_refusals());
}

#[tokio::test]
async fn a_write_that_hits_a_transport_error_is_not_repeated() {
    let emu = start(Config::default()).await;
    let c = Client::webhook_builder(&emu.webhook_url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    let method = "imopenlines.bot.session.message.send";
    emu.inject_fault_for(method, Fault::Delay(Duration::from_millis(600)), 1);
    let e = c
        .call(BotSessionMessageSend::new(chat).message("once"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(ref t) if t.timeout), "{e:?}");
    // A 502 page in front of the portal: not repeated either.
    emu.inject_fault_for(method, Fault::Html502, 1);
    let e = c
        .call(BotSessionMessageSend::new(chat).message("twice?"))
        .await
        .unwrap_err();
    assert!(e.is_transient() && !e.is_refused_before_running(), "{e:?}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    // A repeat would have met no fault (each was injected once) and run.
    let repeats = emu
        .requests()
        .iter()
        .filter(|r| r.method == method && r.fault.is_none())
        .count();
    assert_eq!(repeats, 0);
    let messages = emu.chat(chat).unwrap().messages;
    assert!(messages.iter().filter(|m| *m == "once").count() <= 1);
    assert!(!messages.iter().any(|m| m == "twice?"));
}

/// `user.get` walked by `start` (the spec's `user.get` is generated with the fast walk, which
/// `the_fast_mode_walks_by_id` runs): a test-side list method for the runtime's `start` path.
#[derive(Debug, Clone, Default, Serialize)]
struct UserGet {
    #[serde(rename = "FILTER", skip_serializing_if = "BTreeMap::is_empty")]
    filter: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct User {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "NAME")]
    name: String,
}

impl bitrix_api::__private::Lenient for User {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        bitrix_api::__private::lenient_object(d)
    }
}

impl Method for UserGet {
    const NAME: &'static str = "user.get";
    const SCOPES: &'static [bitrix_api::Scope] = &[];
    const READ: bool = true;
    type Result = Vec<User>;
    type Error = bitrix_api::NoMethodError;
}

impl ListMethod for UserGet {
    type Item = User;
    fn set_start(&mut self, start: i64) {
        self.start = Some(start);
    }
    fn items(result: Vec<User>) -> Vec<User> {
        result
    }
}

fn ten_thousand() -> Config {
    Config {
        directory_users: 10_000,
        ..limited()
    }
}

async fn collect_ids<M>(c: &Client, request: M) -> Vec<u64>
where
    M: ListMethod<Item = User> + 'static,
{
    let stream = c.list(request);
    let mut stream = std::pin::pin!(stream);
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        let user = item.unwrap_or_else(|e| panic!("{e}"));
        ids.push(user.id.parse::<u64>().unwrap());
    }
    ids
}

#[tokio::test]
async fn a_list_of_ten_thousand_streams_each_item_once_in_order() {
    let emu = start(ten_thousand()).await;
    let c = client(&emu).build().unwrap();
    let ids = collect_ids(&c, UserGet::default()).await;
    let want: Vec<u64> = (1001..11_001).collect();
    assert_eq!(ids.len(), want.len());
    assert!(ids == want, "items missing, repeated or out of order");
    // 200 pages: the first alone, then 199 in batches of 50 pages.
    assert_eq!(emu.requests().len(), 1 + 4);
    assert_eq!(emu.rate_refusals(), 0);
}

#[tokio::test]
async fn the_fast_mode_walks_by_id() {
    let emu = start(Config {
        directory_users: 1_234,
        ..limited()
    })
    .await;
    let c = client(&emu).build().unwrap();
    // The generated `user.get`: the spec marks it `list: {fast: true}`.
    let stream =
        c.list(bitrix_api::user::Get::new().filter([("ACTIVE".to_string(), true.into())].into()));
    let mut stream = std::pin::pin!(stream);
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        let user = item.unwrap_or_else(|e| panic!("{e}"));
        ids.push(user.id.expect("the emulator answers ID") as u64);
    }
    assert_eq!(ids, (1001..2235).collect::<Vec<u64>>());
    let log = emu.requests();
    assert_eq!(log.len(), 25, "24 full pages and a short one");
    assert!(log.iter().all(|r| r.params["start"] == -1));
    // The caller's condition is kept beside the walk's `>ID`.
    assert!(
        log.iter().all(|r| r.params["FILTER"]["ACTIVE"] == true),
        "{:?}",
        log[1].params
    );
    assert_eq!(log[1].params["FILTER"][">ID"], 1050);
}

#[tokio::test]
async fn a_read_is_repeated_after_a_502_and_a_list_error_ends_the_stream() {
    let emu = start(ten_thousand()).await;
    let c = client(&emu).build().unwrap();
    emu.inject_fault_for("user.get", Fault::Html502, 1);
    let page = c.call(UserGet::default()).await.unwrap();
    assert_eq!(page.len(), 50);
    assert_eq!(requests_of(&emu, "user.get"), 2);
    // With repeats off, the failure of the second request ends the stream after page one.
    let never = client(&emu)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    emu.inject_fault(Fault::Delay(Duration::ZERO), 1);
    emu.inject_fault(Fault::Html502, 1);
    let stream = never.list(UserGet::default());
    let mut stream = std::pin::pin!(stream);
    for _ in 0..50 {
        assert!(stream.next().await.unwrap().is_ok());
    }
    let failed = stream.next().await.unwrap();
    assert!(matches!(failed, Err(Error::Decode(_))), "{failed:?}");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn halt_stops_a_bulk_run_at_the_first_failure() {
    let emu = start(limited()).await;
    let c = client(&emu).build().unwrap();
    let chat = emu.bot_chat_ids()[0];
    let mut bulk = c.bulk().halt_on_error(true);
    let send = |i: usize| BotSessionMessageSend::new(chat).message(format!("h{i}"));
    let before: Vec<_> = (0..70).map(|i| bulk.add(send(i))).collect();
    // Calls of several methods mix; this one fails: the operator's chat has no bot.
    let failing = bulk.add(BotSessionOperator::new(emu.operator_chat_id()));
    let after: Vec<_> = (71..120).map(|i| bulk.add(send(i))).collect();
    let answer = bulk.send().await;
    for (i, s) in before.iter().enumerate() {
        assert!(matches!(answer.get(s), Ok(true)), "{i}");
    }
    let e = answer.get(&failing).unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionOperatorError::WrongChat(_))),
        "{e:?}"
    );
    for s in &after {
        assert!(matches!(answer.get(s), Err(Error::Refused(_))));
    }
    assert_eq!(answer.requests, 2, "the third batch was never sent");
}

#[tokio::test]
async fn progress_is_reported_after_every_batch() {
    let emu = start(limited()).await;
    let c = client(&emu).build().unwrap();
    let chat = emu.bot_chat_ids()[0];
    let calls = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(AtomicUsize::new(0));
    let mut bulk = {
        let (calls, last) = (Arc::clone(&calls), Arc::clone(&last));
        c.bulk().on_progress(move |p| {
            assert_eq!(p.total, 260);
            calls.fetch_add(1, Ordering::SeqCst);
            last.fetch_max(p.done, Ordering::SeqCst);
        })
    };
    for i in 0..260 {
        let _ = bulk.add(BotSessionMessageSend::new(chat).message(format!("p{i}")));
    }
    let answer = bulk.send().await;
    assert_eq!(answer.requests, 6);
    assert_eq!(calls.load(Ordering::SeqCst), 6);
    assert_eq!(last.load(Ordering::SeqCst), 260);
}
