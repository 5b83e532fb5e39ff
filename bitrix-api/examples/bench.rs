//! Measures the runtime: decoding answers, and calls over loopback against the emulator.
//! Prints figures for BENCHMARKS.md. Run with `cargo run --release -p bitrix-api --example bench`.

use bitrix_api::imopenlines::{BotSessionMessageSend, DialogGet};
use bitrix_api::{decode_answer, Client};
use std::time::{Duration, Instant};

/// The `imopenlines.dialog.get` answer shape of the official page (a chat with nested objects).
const DIALOG: &str = r##"{"result":{"id":1777,"parent_chat_id":0,"parent_message_id":0,"name":"Green Guest #17","description":null,"owner":27,"extranet":false,"avatar":"","color":"#58cc47","type":"lines","counter":0,"user_counter":2,"message_count":104,"unread_id":0,"restrictions":{"avatar":true,"rename":true,"extend":true,"call":true,"mute":true,"leave":true,"leave_owner":true,"send":true,"user_list":true},"last_message_id":86313,"last_id":86313,"marked_id":0,"disk_folder_id":0,"entity_type":"LINES","entity_id":"livechat|22|1775|599","entity_data_1":"Y|LEAD|1209|N|N|343|1773682918|0|0|0","entity_data_2":"LEAD|1209|COMPANY|0|CONTACT|0|DEAL|0","entity_data_3":"N","mute_list":[],"date_create":"2026-03-13T16:50:15+01:00","message_type":"L","public":"","role":"owner","entity_link":{"type":"LINES","url":"","id":"livechat|22|1775|599"},"text_field_enabled":true,"background_id":null,"permissions":{"manage_users_add":"member","manage_users_delete":"manager","manage_ui":"member","manage_settings":"owner","manage_messages":"member","can_post":"member"},"is_new":false,"readed_list":[{"user_id":599,"user_name":"Guest","message_id":86101,"date":null}],"manager_list":[27],"last_message_views":{"message_id":86313,"first_viewers":[{"user_id":27,"user_name":"Samantha Johnson","date":"2026-03-16T20:50:37+01:00"}],"count_of_viewers":0},"dialog_id":"chat1777"},"time":{"start":1773683678,"finish":1773683678.423382,"duration":0.423382043838501,"processing":0,"date_start":"2026-03-16T20:54:38+01:00","date_finish":"2026-03-16T20:54:38+01:00","operating_reset_at":1773684278,"operating":0}}"##;

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn decode_bench() {
    let n = 50_000;
    let body = DIALOG.as_bytes();
    // Warm up, then measure typed decoding against parsing into an untyped value.
    for _ in 0..1_000 {
        decode_answer::<DialogGet>(200, body).unwrap();
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(decode_answer::<DialogGet>(200, std::hint::black_box(body)).unwrap());
    }
    let typed = t.elapsed();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            serde_json::from_slice::<serde_json::Value>(std::hint::black_box(body)).unwrap(),
        );
    }
    let untyped = t.elapsed();
    println!(
        "decode imopenlines.dialog.get answer ({} bytes), {n} times:",
        body.len()
    );
    println!(
        "  typed (bitrix-api, lenient):  {:>9.0} answers/s  {:>6.2} µs each",
        per_sec(n, typed),
        typed.as_secs_f64() * 1e6 / n as f64
    );
    println!(
        "  serde_json::Value (untyped):  {:>9.0} answers/s  {:>6.2} µs each",
        per_sec(n, untyped),
        untyped.as_secs_f64() * 1e6 / n as f64
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn call_bench() -> Result<(), Box<dyn std::error::Error>> {
    let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default()).await?;
    // The emulator has no rate limit here: measure the client, not the client-side bucket.
    let client = Client::webhook_builder(&emu.webhook_url())
        .no_rate_limit()
        .build()?;
    let chat = emu.bot_chat_ids()[0];
    for _ in 0..200 {
        client.call(DialogGet::new().chat_id(chat)).await?;
    }
    let n = 2_000;
    let mut lat = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        client.call(DialogGet::new().chat_id(chat)).await?;
        lat.push(s.elapsed());
    }
    let total = t.elapsed();
    lat.sort();
    println!("sequential imopenlines.dialog.get over loopback HTTP, {n} calls:");
    println!(
        "  {:.0} calls/s; latency p50 {:.0} µs, p99 {:.0} µs",
        per_sec(n, total),
        percentile(&lat, 0.5).as_secs_f64() * 1e6,
        percentile(&lat, 0.99).as_secs_f64() * 1e6
    );
    overhead_bench(&client, &emu.webhook_url(), chat).await?;
    let conc = 16;
    let per = 500;
    let t = Instant::now();
    let tasks: Vec<_> = (0..conc)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..per {
                    c.call(BotSessionMessageSend::new(chat).message("x"))
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    println!(
        "{conc} concurrent tasks × {per} imopenlines.bot.session.message.send: {:.0} calls/s",
        per_sec(conc * per, t.elapsed())
    );
    Ok(())
}

/// Per-call overhead: the same sequential `imopenlines.dialog.get` through [`Client`] (typed
/// request, pre-send check, bucket bookkeeping, typed lenient decoding) and through a bare
/// reqwest client posting the same JSON body and parsing the answer into a `serde_json::Value`.
/// Rounds alternate between the two so that the machine's noise falls on both alike.
async fn overhead_bench(
    client: &Client,
    webhook: &str,
    chat: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    let raw = bitrix_emulator::http_client().build()?;
    let url = format!("{webhook}imopenlines.dialog.get");
    let body = serde_json::to_vec(&serde_json::json!({ "CHAT_ID": chat }))?;
    let raw_call = || async {
        let answer = raw
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.clone())
            .send()
            .await?
            .bytes()
            .await?;
        let value: serde_json::Value = serde_json::from_slice(&answer)?;
        assert!(value.get("result").is_some());
        Ok::<(), Box<dyn std::error::Error>>(())
    };
    for _ in 0..200 {
        raw_call().await?;
    }
    let (rounds, per) = (10, 200);
    let (mut typed, mut bare) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per {
            client.call(DialogGet::new().chat_id(chat)).await?;
        }
        typed += t.elapsed();
        let t = Instant::now();
        for _ in 0..per {
            raw_call().await?;
        }
        bare += t.elapsed();
    }
    let n = rounds * per;
    println!("per-call overhead, {n} sequential imopenlines.dialog.get each, alternating rounds of {per}:");
    println!(
        "  Client (typed):                 {:>7.1} µs/call",
        typed.as_secs_f64() * 1e6 / n as f64
    );
    println!(
        "  raw reqwest + serde_json::Value: {:>6.1} µs/call",
        bare.as_secs_f64() * 1e6 / n as f64
    );
    println!("  ratio: {:.3}", typed.as_secs_f64() / bare.as_secs_f64());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    decode_bench();
    call_bench().await
}
