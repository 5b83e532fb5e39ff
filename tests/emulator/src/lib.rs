//! A local, emulated Bitrix24 portal for end-to-end tests, examples and
//! benchmarks of the `bitrix-api` SDK.
//!
//! The server listens on `127.0.0.1` only and answers the way a portal does
//! for the open-line methods the SDK covers:
//!
//! - REST calls over an incoming webhook (`/rest/{user}/{code}/{method}`) or
//!   an OAuth token (`/rest/{method}` with `auth`), parameters as JSON, form
//!   (with `FIELDS[NAME]`-style nesting), multipart text fields or query;
//! - `imopenlines.dialog.get`, `imopenlines.crm.chat.get`,
//!   `imopenlines.bot.session.{message.send,operator,transfer,finish}` and
//!   `batch`, with the documented result shapes and error answers;
//! - the OAuth token endpoint with single-use refresh tokens;
//! - an optional leaky-bucket rate limit, and injected faults (HTML 502,
//!   truncated JSON, delays) for testing client resilience.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default()).await?;
//! println!("call {}imopenlines.dialog.get?CHAT_ID=101", emu.webhook_url());
//! emu.inject_fault(bitrix_emulator::Fault::Html502, 1);
//! # Ok(()) }
//! ```
//!
//! Clients in other languages can steer it over HTTP under `/_emulator/`
//! (see the binary's start-up text and [`Emulator::base_url`]).

mod auth;
mod config;
mod control;
mod emulator;
mod errors;
mod faults;
mod log;
mod methods;
mod oauth;
mod rate;
mod server;
mod shared;
mod state;
mod wire;

pub use auth::{AuthKind, Tokens};
pub use config::{Config, RateLimit};
pub use emulator::Emulator;
pub use faults::Fault;
pub use log::LoggedRequest;
pub use state::{ChatHandler, ChatSnapshot};
