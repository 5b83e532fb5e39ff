//! Decodes one event body as a handler receives it, and prints it without its secrets.
//!
//! ```sh
//! BITRIX24_APPLICATION_TOKEN=… cargo run -p bitrix-api --example decode_event -- \
//!     application/x-www-form-urlencoded < body
//! ```
//!
//! Prints the event as JSON (`event`, `event_handler_id`, `ts`, `auth` without tokens, `data`
//! with secret-named values redacted), then the typed event (`bitrix_api::Event`: its variant and
//! name, `Unknown` for an event this build does not type), and exits 0; or prints why it was rejected and exits 1.
//! Exits 2 when called wrongly.

use bitrix_api::events::{receive, FixedToken, Limits};
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(content_type) = std::env::args().nth(1) else {
        eprintln!("usage: decode_event CONTENT_TYPE < body  (BITRIX24_APPLICATION_TOKEN set)");
        return ExitCode::from(2);
    };
    let Ok(token) = std::env::var("BITRIX24_APPLICATION_TOKEN") else {
        eprintln!("set BITRIX24_APPLICATION_TOKEN to the application token of the portal");
        return ExitCode::from(2);
    };
    let limits = Limits::default();
    // One byte more than the limit is enough to see that a body is too large.
    let mut body = Vec::new();
    let cap = u64::try_from(limits.max_body)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(e) = std::io::stdin().take(cap).read_to_end(&mut body) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let tokens = FixedToken::new(token);
    match runtime.block_on(receive(&content_type, &body, &limits, &tokens)) {
        Ok(event) => {
            let json = event.to_json_redacted();
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
            match event.typed::<bitrix_api::Event>() {
                Ok(typed) => {
                    println!("typed: {} ({})", variant(&typed), typed.name());
                    ExitCode::SUCCESS
                }
                Err(rejection) => {
                    println!("rejected: {rejection}");
                    ExitCode::from(1)
                }
            }
        }
        Err(rejection) => {
            println!("rejected: {rejection}");
            ExitCode::from(1)
        }
    }
}

/// `Module::Payload` for a typed event (read off its `Debug`, which withholds secrets), or
/// `Unknown`.
fn variant(event: &bitrix_api::Event) -> String {
    if let bitrix_api::Event::Unknown { .. } = event {
        return "Unknown".into();
    }
    let shown = format!("{event:?}");
    let mut parts = shown.split('(');
    let module = parts.next().unwrap_or_default();
    let payload = parts.next().unwrap_or_default();
    format!("{module}::{payload}")
}
