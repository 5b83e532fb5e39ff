//! `bitrix-emulator [--port N]`: runs an emulated Bitrix24 portal on
//! 127.0.0.1 until Ctrl-C, printing how to reach it.

use bitrix_emulator::{Config, Emulator};

fn usage() -> ! {
    eprintln!("usage: bitrix-emulator [--port N]   (N = 0 or absent: any free port)");
    std::process::exit(2);
}

fn parse_port() -> u16 {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = if arg == "--port" {
            args.next()
        } else if let Some(v) = arg.strip_prefix("--port=") {
            Some(v.to_owned())
        } else if arg == "-h" || arg == "--help" {
            usage()
        } else {
            eprintln!("unknown argument: {arg}");
            usage()
        };
        port = match value.as_deref().map(str::parse::<u16>) {
            Some(Ok(p)) => p,
            _ => usage(),
        };
    }
    port
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config {
        port: parse_port(),
        ..Config::default()
    };
    let emu = Emulator::start(config).await?;
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
