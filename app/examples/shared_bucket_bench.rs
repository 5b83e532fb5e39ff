//! Three processes bulk-writing to one emulated portal through the registry's shared request
//! bucket, against the floor one process alone would have. Prints the rows for BENCHMARKS.md.
//!
//! ```sh
//! BITRIX_TEST_POSTGRES_URL="$(scripts/postgres.sh)" \
//!     cargo run --release -p bitrix-app --features postgres --example shared_bucket_bench
//! ```
//!
//! The emulator's bucket is a standard plan's (X = 50, Y = 2) on a clock 10× a portal's (Y
//! drains every 100 ms); the clients' bucket uses the same tick and 200 ms of real-time
//! delivery jitter. B batch requests need at least (B − X) / (10·Y) seconds, whoever sends
//! them. The time runs from the moment every process is ready and told to start until the
//! last one has all its answers. SQLite always; PostgreSQL when `BITRIX_TEST_POSTGRES_URL` is
//! set and the example is built with `--features postgres`.

use bitrix_api::imopenlines::BotSessionMessageSend;
use bitrix_api::{RateLimit, Secret, Tokens};
use bitrix_app::{AppCredentials, Installation, Portals, SqliteStore, Store};
use bitrix_emulator::{Config, Emulator};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BURST: u32 = 50;
const DRAIN: u32 = 2;
const SCALE: f64 = 10.0;
const TICK: Duration = Duration::from_millis(100);
const PROCESSES: usize = 3;
/// Writes per process: 60 batch requests each.
const WRITES: usize = 3000;

/// Set in a child: the store it opens (`sqlite:PATH` or `postgres:URL`).
const CHILD: &str = "BITRIX_BENCH_CHILD";

fn client_limit() -> RateLimit {
    RateLimit::new(BURST, DRAIN)
        .with_period(TICK)
        .with_jitter(Duration::from_millis(200))
}

async fn open(spec: &str) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    match spec.split_once(':') {
        Some(("sqlite", path)) => Ok(Arc::new(SqliteStore::open(path).await?)),
        #[cfg(feature = "postgres")]
        Some(("postgres", url)) => Ok(Arc::new(bitrix_app::PgStore::connect(url).await?)),
        _ => Err(format!("not a store: {spec}").into()),
    }
}

fn unique() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// The child: waits for the go file, writes, prints `@@answered N`.
async fn child(spec: &str) -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let app = AppCredentials::new(var("BENCH_CLIENT_ID")?, var("BENCH_CLIENT_SECRET")?)
        .token_url(var("BENCH_TOKEN_URL")?);
    let chat: i64 = var("BENCH_CHAT")?.parse()?;
    let writes: usize = var("BENCH_WRITES")?.parse()?;
    let go = PathBuf::from(var("BENCH_GO")?);
    let reg = Portals::shared(open(spec).await?, app).shared_rate_limit(client_limit());
    let client = reg.client(&var("BENCH_MEMBER")?).await?;
    println!("@@ready");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !go.exists() {
        if Instant::now() > deadline {
            return Err("no go file".into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let outcomes = client
        .batch_all((0..writes).map(|i| BotSessionMessageSend::new(chat).message(format!("m{i}"))))
        .await;
    let ok = outcomes.iter().filter(|r| matches!(r, Ok(true))).count();
    println!("@@answered {ok}");
    Ok(())
}

fn read_until(lines: &mut impl Iterator<Item = std::io::Result<String>>, prefix: &str) -> String {
    let marker = format!("@@{prefix}");
    for line in lines.map_while(Result::ok) {
        if let Some(at) = line.find(&marker) {
            return line[at + marker.len()..].trim().to_string();
        }
    }
    String::new()
}

/// One run against a fresh emulated portal (an earlier run's requests would still fill its
/// bucket): `processes` children writing `writes` each through the store `spec`.
async fn run(
    spec: &str,
    what: &str,
    processes: usize,
    writes: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let emu = &Emulator::start(Config {
        rate_limit: Some(bitrix_emulator::RateLimit::new(BURST, DRAIN).with_tick(TICK)),
        ..Config::default()
    })
    .await?;
    let store = open(spec).await?;
    let member = format!("bench-{}", unique());
    let t = emu.issue_tokens();
    let mut i = Installation::new(
        member.as_str(),
        "emulated.bitrix24.test",
        emu.rest_url(),
        Tokens::new(t.access_token, t.refresh_token),
    );
    i.application_token = Some(Secret::new(emu.application_token()));
    store.install(&i).await?;
    let chat = emu.bot_chat_ids()[0];
    let before = emu.chat(chat).map_or(0, |c| c.messages.len());
    let go = std::env::temp_dir().join(format!("bitrix-bench-go-{}", unique()));
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for _ in 0..processes {
        let mut c = Command::new(&exe)
            .env(CHILD, spec)
            .env("BENCH_CLIENT_ID", emu.client_id())
            .env("BENCH_CLIENT_SECRET", emu.client_secret())
            .env("BENCH_TOKEN_URL", emu.oauth_token_url())
            .env("BENCH_CHAT", chat.to_string())
            .env("BENCH_WRITES", writes.to_string())
            .env("BENCH_GO", &go)
            .env("BENCH_MEMBER", &member)
            .stdout(Stdio::piped())
            .spawn()?;
        let out = BufReader::new(c.stdout.take().ok_or("no stdout")?).lines();
        children.push((c, out));
    }
    let (secs, answered) = tokio::task::spawn_blocking(move || {
        for (_, out) in &mut children {
            read_until(out, "ready");
        }
        let t = Instant::now();
        let _ = std::fs::write(&go, b"go");
        let answered: usize = children
            .iter_mut()
            .map(|(_, out)| read_until(out, "answered").parse::<usize>().unwrap_or(0))
            .sum();
        let secs = t.elapsed().as_secs_f64();
        for (c, _) in &mut children {
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&go);
        (secs, answered)
    })
    .await?;
    let calls = processes * writes;
    let stored = emu.chat(chat).map_or(0, |c| c.messages.len()) - before;
    let lost = (calls - answered.min(calls)).max(calls.abs_diff(stored));
    let requests = processes * writes.div_ceil(bitrix_api::MAX_BATCH_COMMANDS);
    let floor = (requests as f64 - f64::from(BURST)).max(0.0) / (f64::from(DRAIN) * SCALE);
    println!(
        "| {what} | {processes} × {writes} | {secs:.2} s | {floor:.2} s | {:.2} | {} | {} | {lost} |",
        secs / floor,
        emu.requests().len(),
        emu.rate_refusals(),
    );
    Ok(())
}

fn sqlite_path() -> PathBuf {
    std::env::temp_dir().join(format!("bitrix-bench-{}.db", unique()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec).await;
    }
    println!(
        "| store | processes × writes | time | floor | ratio | requests | refused | calls lost |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let path = sqlite_path();
    let sqlite = format!("sqlite:{}", path.display());
    run(&sqlite, "SQLite, one process", 1, PROCESSES * WRITES).await?;
    run(&sqlite, "SQLite", PROCESSES, WRITES).await?;
    remove_db(&path);
    match std::env::var("BITRIX_TEST_POSTGRES_URL") {
        Ok(url) if cfg!(feature = "postgres") && !url.is_empty() => {
            run(&format!("postgres:{url}"), "PostgreSQL", PROCESSES, WRITES).await?;
        }
        _ => eprintln!("PostgreSQL skipped (BITRIX_TEST_POSTGRES_URL and --features postgres)"),
    }
    Ok(())
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
