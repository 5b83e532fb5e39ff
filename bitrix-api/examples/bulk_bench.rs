//! Bulk work at the portal's limits, against the emulator: how close a bulk run and a list
//! stream come to the physical floor the leaky bucket allows, and whether anything is refused
//! or lost. Prints the figures for BENCHMARKS.md.
//!
//! `cargo run --release -p bitrix-api --example bulk_bench [SCALE [JITTER_MS]]`
//!
//! The emulator's clock runs SCALE times faster than a portal's (default 1, a portal's own
//! clock): its bucket drains Y every 1/SCALE s. The client's bucket is set to the same tick,
//! with JITTER_MS of delivery jitter allowed (real time, not scaled; default: the client's
//! default, 500 ms), and every floor is computed on the same clock: B batch requests need at
//! least (B - X) / (Y * SCALE) seconds; a list of P pages needs ceil(P / 50) + 1 requests.

use bitrix_api::imopenlines::BotSessionMessageSend;
use bitrix_api::{Client, ListMethod, Method, RateLimit};
use bitrix_emulator::{Config, Emulator};
use futures_util::StreamExt;
use serde::Serialize;
use std::time::{Duration, Instant};

/// `user.get`, the emulator's list method, as a list request.
#[derive(Debug, Clone, Default, Serialize)]
struct UserGet {
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<i64>,
}

#[derive(Debug, Clone, serde::Deserialize)]
struct User {
    #[serde(rename = "ID")]
    id: String,
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

struct Plan {
    name: &'static str,
    burst: u32,
    drain: u32,
}

const PLANS: [Plan; 2] = [
    Plan {
        name: "standard",
        burst: 50,
        drain: 2,
    },
    Plan {
        name: "enterprise",
        burst: 250,
        drain: 5,
    },
];

/// Seconds the bucket needs at least for `requests` requests.
fn floor(plan: &Plan, requests: u64, scale: f64) -> f64 {
    (requests as f64 - f64::from(plan.burst)).max(0.0) / (f64::from(plan.drain) * scale)
}

/// The run's clock and the client's allowance for delivery jitter.
#[derive(Clone, Copy)]
struct Clock {
    tick: Duration,
    scale: f64,
    jitter: Duration,
}

async fn start(plan: &Plan, clock: Clock, users: usize) -> std::io::Result<(Emulator, Client)> {
    let tick = clock.tick;
    let emu = Emulator::start(Config {
        rate_limit: Some(bitrix_emulator::RateLimit::new(plan.burst, plan.drain).with_tick(tick)),
        directory_users: users,
        ..Config::default()
    })
    .await?;
    let limit = RateLimit::new(plan.burst, plan.drain)
        .with_period(tick)
        .with_jitter(clock.jitter);
    let client = Client::webhook_builder(&emu.webhook_url())
        .rate_limit(limit)
        .build()
        .map_err(std::io::Error::other)?;
    Ok((emu, client))
}

fn row(what: &str, secs: f64, floor: f64, requests: u64, refused: u64, lost: usize) {
    let ratio = if floor > 0.0 {
        format!("{:.3}", secs / floor)
    } else {
        "-".to_owned()
    };
    println!("| {what} | {secs:.2} s | {floor:.2} s | {ratio} | {requests} | {refused} | {lost} |");
}

async fn writes(plan: &Plan, clock: Clock, calls: usize) -> std::io::Result<()> {
    let (emu, client) = start(plan, clock, 0).await?;
    let chat = emu.bot_chat_ids()[0];
    let before = emu.chat(chat).map_or(0, |c| c.messages.len());
    let requests = calls.div_ceil(bitrix_api::MAX_BATCH_COMMANDS) as u64;
    let t = Instant::now();
    let outcomes = client
        .batch_all((0..calls).map(|i| BotSessionMessageSend::new(chat).message(format!("m{i}"))))
        .await;
    let secs = t.elapsed().as_secs_f64();
    let ok = outcomes.iter().filter(|r| matches!(r, Ok(true))).count();
    let stored = emu.chat(chat).map_or(0, |c| c.messages.len()) - before;
    let lost = (calls - ok).max(calls.abs_diff(stored));
    let sent = emu.requests().len() as u64;
    row(
        &format!(
            "{} (X={}, Y={}): {calls} writes",
            plan.name, plan.burst, plan.drain
        ),
        secs,
        floor(plan, requests, clock.scale),
        sent,
        emu.rate_refusals(),
        lost,
    );
    Ok(())
}

async fn list(plan: &Plan, clock: Clock, items: usize) -> std::io::Result<()> {
    let (emu, client) = start(plan, clock, items).await?;
    let pages = items.div_ceil(50) as u64;
    let requests = pages.saturating_sub(1).div_ceil(50) + 1;
    let t = Instant::now();
    let stream = client.list(UserGet::default());
    let mut stream = std::pin::pin!(stream);
    let (mut got, mut in_order, mut expect) = (0usize, true, 1001u64);
    while let Some(item) = stream.next().await {
        let user = item.map_err(|e| std::io::Error::other(e.to_string()))?;
        in_order &= user.id.parse::<u64>().ok() == Some(expect);
        expect += 1;
        got += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    let sent = emu.requests().len() as u64;
    assert!(in_order, "items out of order");
    row(
        &format!(
            "{} (X={}, Y={}): list of {items}",
            plan.name, plan.burst, plan.drain
        ),
        secs,
        floor(plan, requests, clock.scale),
        sent,
        emu.rate_refusals(),
        items.abs_diff(got),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let scale: u32 = match args.next() {
        Some(s) => s.parse().map_err(std::io::Error::other)?,
        None => 1,
    };
    let scale = scale.max(1);
    let jitter = match args.next() {
        Some(ms) => Duration::from_millis(ms.parse().map_err(std::io::Error::other)?),
        None => RateLimit::standard().jitter,
    };
    let clock = Clock {
        tick: Duration::from_secs(1) / scale,
        scale: f64::from(scale),
        jitter,
    };
    println!(
        "emulator clock x{scale} (a drain tick every {} ms), client jitter allowance {} ms\n",
        clock.tick.as_millis(),
        jitter.as_millis()
    );
    println!("| run | time | floor | ratio | requests | refused | calls lost |");
    println!("|---|---|---|---|---|---|---|");
    for plan in &PLANS {
        for calls in [3_000, 5_000, 20_000] {
            writes(plan, clock, calls).await?;
        }
        list(plan, clock, 10_000).await?;
    }
    Ok(())
}
