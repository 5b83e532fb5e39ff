//! Three OS processes bulk-writing to one emulated portal whose rate limit is on: through the
//! registry's shared bucket nothing is refused; each with its own in-process bucket (the
//! control run) the portal refuses some. The processes are this test binary again, running
//! only [`bulk_child`].

mod common;

use bitrix_api::imopenlines::BotSessionMessageSend;
use bitrix_api::RateLimit;
use bitrix_app::{AppCredentials, Portals};
use bitrix_emulator::{Config, Emulator};
use common::{backends, installation, read_until, unique, Backend};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a child is told, through its environment.
const CHILD: &str = "BITRIX_APP_BULK_CHILD";

const PROCESSES: usize = 3;
/// Writes per process: 30 batch requests each, 90 in all.
const WRITES: usize = 1500;
/// The emulated portal's bucket: X = 20, Y = 2 every 50 ms (a clock 20× a portal's).
const BURST: u32 = 20;
const DRAIN: u32 = 2;
const TICK: Duration = Duration::from_millis(50);

/// The clients' copy of the portal's limit (delivery jitter is real time, not scaled).
fn client_limit() -> RateLimit {
    RateLimit::new(BURST, DRAIN)
        .with_period(TICK)
        .with_jitter(Duration::from_millis(100))
}

async fn emulator() -> Emulator {
    Emulator::start(Config {
        rate_limit: Some(bitrix_emulator::RateLimit::new(BURST, DRAIN).with_tick(TICK)),
        ..Config::default()
    })
    .await
    .expect("the emulator starts")
}

/// How a run's processes pace their requests.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pacing {
    /// Through the registry's shared bucket.
    Shared,
    /// Each with its own in-process bucket (the client's default).
    Local,
}

/// Runs [`PROCESSES`] children against `emu` at once; returns each child's count of calls
/// answered `Ok(true)`, and checks every message it sent is stored exactly once.
async fn run(emu: &Emulator, backend: &Backend, pacing: Pacing) -> Vec<usize> {
    let reg = common::portals(backend, emu).await;
    let member = unique("bulk");
    reg.install(&installation(emu, &member)).await.unwrap();
    let chat = emu.bot_chat_ids()[0];
    let before = emu.chat(chat).map_or(0, |c| c.messages.len());
    let go = std::env::temp_dir()
        .join("bitrix-app-tests")
        .join(unique("bulk-go"));
    let app = common::credentials(emu);
    let tag = unique("run");
    let mut children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let mut c = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--ignored",
                    "--exact",
                    "bulk_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, backend.spec())
                .env("BITRIX_APP_BULK_PACING", format!("{pacing:?}"))
                .env("BITRIX_APP_BULK_MEMBER", &member)
                .env("BITRIX_APP_BULK_CLIENT_ID", &app.client_id)
                .env("BITRIX_APP_BULK_CLIENT_SECRET", app.client_secret.expose())
                .env("BITRIX_APP_BULK_TOKEN_URL", &app.token_url)
                .env("BITRIX_APP_BULK_CHAT", chat.to_string())
                .env("BITRIX_APP_BULK_PREFIX", format!("{tag}-p{i}-"))
                .env("BITRIX_APP_BULK_GO", &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the child starts");
            let out = BufReader::new(c.stdout.take().unwrap()).lines();
            (c, out)
        })
        .collect();
    let answered = tokio::task::spawn_blocking(move || {
        for (_, out) in &mut children {
            read_until(out, "ready");
        }
        std::fs::write(&go, b"go").unwrap(); // all at once
        let answered: Vec<usize> = children
            .iter_mut()
            .map(|(_, out)| read_until(out, "answered").parse().unwrap())
            .collect();
        for (c, _) in &mut children {
            assert!(c.wait().unwrap().success(), "a child failed");
        }
        answered
    })
    .await
    .unwrap();

    let messages = emu.chat(chat).unwrap().messages;
    let mut stored: HashMap<&str, usize> = HashMap::new();
    for m in messages[before..].iter().filter(|m| m.starts_with(&tag)) {
        *stored.entry(m.as_str()).or_default() += 1;
    }
    assert_eq!(
        stored.len(),
        PROCESSES * WRITES,
        "every message stored: {backend:?} {pacing:?}"
    );
    assert!(
        stored.values().all(|&n| n == 1),
        "no message stored twice: {backend:?} {pacing:?}"
    );
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_one_portal_bucket_without_a_refusal() {
    // A fresh portal per run: the last run's requests would still fill its bucket.
    let all = backends("shared-bucket");

    // Control: with a bucket each, the processes together pass the portal's limit.
    let emu = emulator().await;
    let answered = run(&emu, &all[0], Pacing::Local).await;
    assert_eq!(answered, vec![WRITES; PROCESSES]);
    eprintln!("control run: {} requests refused", emu.rate_refusals());
    assert!(
        emu.rate_refusals() > 0,
        "the control run must meet the limit, or this test proves nothing"
    );

    for backend in &all {
        let emu = emulator().await;
        let answered = run(&emu, backend, Pacing::Shared).await;
        assert_eq!(answered, vec![WRITES; PROCESSES], "{backend:?}");
        assert_eq!(
            emu.rate_refusals(),
            0,
            "no request refused through the shared bucket: {backend:?}"
        );
    }
}

#[tokio::test]
async fn two_store_handles_count_in_one_portal_bucket() {
    // One request a minute after a burst of 5 (the ceiling: 5 - (1 - 1) drain step, no
    // jitter): nothing drains noticeably while the test runs, however slow the machine.
    let limit = RateLimit::new(5, 1)
        .with_period(Duration::from_secs(60))
        .with_jitter(Duration::ZERO);
    let (full, slack) = (Duration::from_secs(60), Duration::from_secs(5));
    for backend in backends("bucket-handles") {
        // Two handles, as two processes would have.
        let a = backend.open(Duration::from_secs(10)).await;
        let b = backend.open(Duration::from_secs(10)).await;
        let (m, n) = (unique("bucket-m"), unique("bucket-n"));
        for _ in 0..5 {
            assert_eq!(a.take_request(&m, limit, false).await, Ok(Duration::ZERO));
        }
        // The burst is spent through `a`: `b` waits for the next drain.
        let wait = b.take_request(&m, limit, false).await.unwrap();
        assert!(wait > full - slack && wait <= full, "{backend:?}: {wait:?}");
        // Another portal has its own bucket; a refusal fills it before counting.
        assert_eq!(b.take_request(&n, limit, false).await, Ok(Duration::ZERO));
        let wait = a.take_request(&n, limit, true).await.unwrap();
        assert!(wait > full - slack, "{backend:?}: {wait:?}");
    }
}

/// The child process of the first test: waits for the go file, sends its writes with
/// `batch_all` and prints `@@answered N` (how many answered `Ok(true)`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the test of this file"]
async fn bulk_child() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let backend = Backend::parse(&var(CHILD));
    let app = AppCredentials::new(
        var("BITRIX_APP_BULK_CLIENT_ID"),
        var("BITRIX_APP_BULK_CLIENT_SECRET"),
    )
    .token_url(var("BITRIX_APP_BULK_TOKEN_URL"));
    let chat: i64 = var("BITRIX_APP_BULK_CHAT").parse().unwrap();
    let prefix = var("BITRIX_APP_BULK_PREFIX");
    let go = PathBuf::from(var("BITRIX_APP_BULK_GO"));
    let reg = Portals::shared(backend.open(Duration::from_secs(10)).await, app);
    let member = var("BITRIX_APP_BULK_MEMBER");
    let client = if var("BITRIX_APP_BULK_PACING") == "Shared" {
        let reg = reg.shared_rate_limit(client_limit());
        reg.client(&member).await.unwrap()
    } else {
        let builder = reg.client_builder(&member).await.unwrap();
        builder.rate_limit(client_limit()).build().unwrap()
    };
    println!("@@ready");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no go file within 60 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let outcomes = client
        .batch_all(
            (0..WRITES).map(|i| BotSessionMessageSend::new(chat).message(format!("{prefix}{i}"))),
        )
        .await;
    let ok = outcomes.iter().filter(|r| matches!(r, Ok(true))).count();
    println!("@@answered {ok}");
}
