//! `bitrix-emulator [--port N] [--rate X/Y] [--tick-ms T] [--users N]`: runs an emulated
//! Bitrix24 portal on 127.0.0.1 until Ctrl-C, printing how to reach it.
//!
//! `--rate X/Y` turns the leaky bucket on (X requests, draining Y every tick); `--tick-ms T`
//! makes a tick T milliseconds (default 1000: a faster clock for benchmarks); `--users N` sets
//! how many employees `user.get` lists.

use std::time::Duration;

use bitrix_emulator::{Config, Emulator, RateLimit};

fn usage() -> ! {
    eprintln!(
        "usage: bitrix-emulator [--port N] [--rate X/Y] [--tick-ms T] [--users N]   (N = 0 or absent: any free port)"
    );
    std::process::exit(2);
}

fn parse_args() -> Config {
    let mut config = Config::default();
    let mut rate: Option<(u32, u32)> = None;
    let mut tick_ms: u64 = 1000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            usage();
        }
        let Some(value) = inline.or_else(|| args.next()) else {
            usage()
        };
        match name.as_str() {
            "--port" => config.port = value.parse().unwrap_or_else(|_| usage()),
            "--tick-ms" => tick_ms = value.parse().unwrap_or_else(|_| usage()),
            "--users" => config.directory_users = value.parse().unwrap_or_else(|_| usage()),
            "--rate" => {
                let (x, y) = value.split_once('/').unwrap_or_else(|| usage());
                rate = Some((
                    x.parse().unwrap_or_else(|_| usage()),
                    y.parse().unwrap_or_else(|_| usage()),
                ));
            }
            _ => {
                eprintln!("unknown argument: {arg}");
                usage()
            }
        }
    }
    config.rate_limit =
        rate.map(|(x, y)| RateLimit::new(x, y).with_tick(Duration::from_millis(tick_ms.max(1))));
    config
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let emu = Emulator::start(parse_args()).await?;
    let tokens = emu.issue_tokens();
    println!("Bitrix24 emulator listening on {}", emu.base_url());
    println!("webhook URL:       {}", emu.webhook_url());
    println!("bot CLIENT_ID:     {}", emu.bot_client_id());
    println!("OAuth REST URL:    {}", emu.rest_url());
    println!("OAuth token URL:   {}", emu.oauth_token_url());
    println!("OAuth client_id:   {}", emu.client_id());
    println!("OAuth secret:      {}", emu.client_secret());
    println!("access_token:      {}", tokens.access_token);
    println!("refresh_token:     {}", tokens.refresh_token);
    println!("bot chats:         {:?}", emu.bot_chat_ids());
    println!("operator chat:     {}", emu.operator_chat_id());
    println!(
        "operators / queue: {:?} / {}",
        emu.operator_user_ids(),
        emu.queue_id()
    );
    println!(
        "control:           {0}/_emulator/info, POST {0}/_emulator/fault",
        emu.base_url()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    emu.shutdown();
    Ok(())
}
