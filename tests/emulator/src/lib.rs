//! A local, emulated Bitrix24 portal for end-to-end tests, examples and
//! benchmarks of the `bitrix-api` SDK.
//!
//! The server listens on `127.0.0.1` only and answers every method of the
//! spec (`spec/methods`) the way a portal does:
//!
//! - REST calls over an incoming webhook (`/rest/{user}/{code}/{method}`) or
//!   an OAuth token (`/rest/{method}` with `auth`), parameters as JSON, form
//!   (with `FIELDS[NAME]`-style nesting), multipart text fields or query;
//! - statefully, against a seeded portal: `imopenlines.dialog.get`,
//!   `imopenlines.crm.chat.get`,
//!   `imopenlines.bot.session.{message.send,operator,transfer,finish}` and
//!   `batch`, with the documented result shapes and error answers;
//! - every other spec method from the spec itself (see [Spec-driven
//!   answers](#spec-driven-answers)); a method the spec lacks is
//!   `404 ERROR_METHOD_NOT_FOUND` (`Method not found!`);
//! - the OAuth token endpoint with single-use refresh tokens;
//! - `imbot.register`, `imbot.v2.Bot.register` and `imbot.v2.Event.get` (see Events below);
//! - `user.get`, a paginated list (50 a page, `total` / `next`, the fast
//!   `start=-1` mode with a `>ID` filter) of `Config::directory_users` employees;
//! - lists paged otherwise, walked to the end: `im.recent.list` by `OFFSET`
//!   (`Config::recent_chats`), `im.dialog.messages.get` by `LAST_ID`
//!   (`Config::dialog_messages`) and `imopenlines.config.list.get` by `PARAMS.offset`
//!   (`Config::open_lines`);
//! - an optional leaky-bucket rate limit and an optional per-method
//!   operating-time budget (`OPERATION_TIME_LIMIT`), both with a clock that
//!   can run faster for tests, with counts of the requests they refused; and
//!   injected faults (HTML 502, truncated JSON, delays, arbitrary error
//!   answers such as a 503 storm) for testing client resilience.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default()).await?;
//! println!("call {}imopenlines.dialog.get?CHAT_ID=101", emu.webhook_url());
//! emu.inject_fault(bitrix_emulator::Fault::Html502, 1);
//! # Ok(()) }
//! ```
//!
//! # How a REST request is handled
//!
//! 1. Parameters: the query string, then the body (JSON object, form or
//!    multipart by `Content-Type`); a body that does not parse adds nothing,
//!    so the method answers with its documented "missing parameter" error.
//!    Top-level parameter names are matched without regard to case; method
//!    names too, and a `.json` suffix is dropped.
//! 2. Credentials: the webhook path; otherwise `auth` (token); otherwise a
//!    non-empty `sessid` (browser session, accepted as user 1).
//! 3. An injected fault, if one is pending for this method.
//! 4. Authentication: `401 NO_AUTH_FOUND` for a wrong webhook or an unknown
//!    token, `401 expired_token` for an expired one.
//! 5. The rate limit, if configured (a `batch` counts as one request).
//! 6. The method's name: one the spec lacks (and no stateful handler has) is
//!    `404 ERROR_METHOD_NOT_FOUND`.
//! 7. Its scopes: a spec method needing a scope the caller was not granted
//!    ([`Config::scopes`], [`Emulator::set_scopes`]; default every scope;
//!    browser sessions are not limited) is `403 insufficient_scope`.
//! 8. The method's operating-time budget, if configured (each command of a
//!    `batch` is checked and charged on its own; the outer `batch` is not).
//! 9. The method — its stateful handler, else the spec-driven answer —
//!    answered as `{"result", "time"}` or `{"error", "error_description"}`,
//!    `application/json; charset=utf-8`.
//!
//! Steps 6–9 run for each command of a `batch` too.
//!
//! # Spec-driven answers
//!
//! `build.rs` reads `spec/` through the generator (`bitrix_codegen`'s IR) and
//! embeds a table of every method: scopes, params with their wire kind,
//! result, documented errors. Decided at build time, the emulator needs no
//! spec directory at run time (tests run it from any directory) and does not
//! link the generator; the table (115 KB of JSON for 117 methods) is parsed
//! once, on the first REST call (14 ms in a debug build), not at start-up. A
//! method added to the spec is answered after the next build, without code
//! here. A method without a stateful handler:
//!
//! - a required param missing (absent, `null` or `""`; `webhook`-only params
//!   on webhook calls) answers the method's documented error for it when its
//!   errors follow one of the docs' two general forms — a code `<PARAM>_EMPTY`,
//!   or `ERROR_ARGUMENT` with `Argument '<PARAM>' is null or empty` — else
//!   `400 INVALID_ARG_VALUE` (the docs name no system error for bad
//!   arguments);
//! - a param of the wrong wire kind (text where an integer is expected, a
//!   list for a string, …; form and query values are text, so numbers and
//!   `Y`/`N` are read from text) answers the documented `ERROR_ARGUMENT`
//!   `The value of an argument '<PARAM>' has an invalid type` when there is
//!   one, else `400 INVALID_ARG_VALUE`;
//! - otherwise the result: the spec's `result.example` (one documented
//!   answer), else one built from the result type (`1`, `"text"`, `true`, one
//!   item per list, an object with every always-present field, an enum's first
//!   value), with the `time` block; the rate limit and the operating-time
//!   budget apply as for any call.
//!
//! Any documented error of any spec method (its own, or a system error of
//! `spec/common/errors.yaml`) is injected with
//! [`Emulator::inject_documented_error`] or `POST /_emulator/fault`
//! `{"fault": "documented", …}`: the next call(s) of that method answer the
//! documented status and message without running it; an error the docs place
//! inside a successful answer (`in_result`) comes as `200` with the method's
//! example result plus `error` and `error_description`. [`Emulator::is_stateful`]
//! tells the two kinds of method apart.
//!
//! # Seeded portal
//!
//! User 1 owns the webhook and the OAuth tokens; operators 11, 12, 13; the
//! open line (queue) 2 with operators 11 and 12; the bot (user 50). Chats
//! 101–103 are handled by the bot, 104 by operator 11, 105 was finished.
//! Their CRM bindings: 101 lead 201 and contact 301; 102 deal 401, contact
//! 302 and company 501; 103 lead 202; 104 deal 402 and contact 301; 105 lead
//! 201 and deal 990 (which the caller may not see: `ACCESS_DENIED`).
//!
//! # Control over HTTP
//!
//! For clients not written in Rust (these paths exist on no real portal):
//!
//! | request | effect |
//! |---|---|
//! | `POST /_emulator/fault` `{"fault": "html502"\|"truncated"\|"delay"\|"error", "times": N, "method": "m", "delay_ms": D, "status": S, "code": "C", "message": "M"}` | queue a fault (`times` defaults to 1; `method` limits it to one REST method; `delay_ms` for `delay`; `status`/`code`/`message` for `error`) |
//! | `POST /_emulator/fault` `{"fault": "documented", "method": "m", "code": "C", "times": N, "message": "M"}` | answer the next N calls of spec method `m` with its documented error `C` (its own or a system error), documented status and message; `message` picks one case of a code documented several times |
//! | `DELETE /_emulator/fault` | drop all queued faults |
//! | `POST /_emulator/app_has_bot` `{"value": false}` | unregister (or register) the application's chat-bot |
//! | `POST /_emulator/expire_tokens` | expire every issued access token |
//! | `POST /_emulator/tokens` | issue a fresh token pair |
//! | `GET /_emulator/info` | URLs, credentials, ids and the refresh counter |
//! | `GET` / `DELETE /_emulator/requests` | read / clear the request log |
//! | `POST /_emulator/customer_message` `{"chat_id": 101, "text": "hello"}` | a customer writes in an open line; the bot's event is delivered (see below); answers `{"delivery": …, "v2_delivery": …}` (each a delivery or `null`) |
//! | `GET /_emulator/deliveries` | the events POSTed to handlers: event, url, chat, message, the handler's status |
//! | `POST /_emulator/install` `{"handler_url": "…", "event_url": "…", "flow": "callback"\|"wizard"}` | install the application (see Installing below); answers `{"install": delivery, "event": delivery or null}` |
//! | `POST /_emulator/uninstall` `{"clean": true}` | uninstall it: `ONAPPUNINSTALL` to the event handler, every token revoked; answers `{"event": delivery or null}` |
//! | `POST /_emulator/authorize` | a one-time authorization code: `{"code", "domain", "member_id", "scope"}` |
//! | `GET` / `DELETE /_emulator/limits` | read / zero the counts of requests refused by the rate limit (`rate_refusals`) and by the operating-time budget (`operating_refusals`) |
//!
//! # Events
//!
//! `imbot.register` records the bot's `EVENT_MESSAGE_ADD` handler URL. When a customer writes
//! in a chat the bot handles ([`Emulator::customer_writes`] or the control endpoint), the
//! emulator POSTs `ONIMBOTMESSAGEADD` to that URL the way a portal does: a PHP
//! `http_build_query` form with `data[BOT][50][…]` (the bot's own tokens and `AUTH` block),
//! `data[PARAMS][…]` (the message; every scalar text, flags `Y`/`N`), `data[USER][…]`, `ts`
//! and the top-level `auth` block with [`Emulator::application_token`]. A bot registered with
//! `imbot.v2.Bot.register` and `eventMode: webhook` gets `ONIMBOTV2MESSAGEADD` POSTed to its
//! `webhookUrl` likewise (`data[bot][id|code|auth]`, `data[message]`, `data[chat]`,
//! `data[user]`); otherwise the message is queued as an `ONIMBOTV2MESSAGEADD` fetch-mode
//! event, read with `imbot.v2.Event.get`
//! (`botId` 50, `botToken` the bot's client id, `offset`/`limit`; `nextOffset`, `hasMore`).
//! What the bot sends back is in the request log like any call. [`scenario`] has scripted
//! customers.
//!
//! # Installing the application
//!
//! One emulator is one portal (its own `member_id` and domain `127.0.0.1:PORT`); for several
//! portals start more with [`Emulator::start_sharing_oauth`], which share one OAuth server
//! (one token endpoint renews the tokens of every portal, as on Bitrix24). [`Emulator::install_app`] POSTs the install request to the application's handler
//! with a fresh token pair, as a portal does: an `ONAPPINSTALL` form for an application
//! without an interface ([`InstallFlow::Callback`]), or the install wizard's frame POST
//! ([`InstallFlow::Wizard`]); then `ONAPPINSTALL` with the application token to the event
//! handler, if one is given. [`Emulator::uninstall_app`] POSTs `ONAPPUNINSTALL` and revokes
//! every token. [`Emulator::authorize`] issues a one-time code for the token endpoint's
//! `grant_type=authorization_code`; codes and refresh tokens are single-use (a used one is
//! `400 invalid_grant`).
//!
//! A 503 storm or an `OPERATION_TIME_LIMIT` is injected as an `error` fault
//! (`{"fault": "error", "status": 503, "code": "QUERY_LIMIT_EXCEEDED", "times": 20}`).

#![warn(missing_docs)]

mod auth;
mod config;
mod control;
mod emulator;
mod errors;
mod events;
mod faults;
mod install;
mod log;
mod methods;
mod oauth;
mod operating;
mod rate;
mod server;
mod shared;
mod spec_table;
mod state;
mod wire;

pub use auth::{AuthKind, Tokens};
pub use config::{Config, OperatingLimit, RateLimit};
pub use emulator::Emulator;
pub use events::{CustomerMessage, Delivery};
pub use faults::Fault;
pub use install::{AppInstall, AuthorizationCode, InstallApp, InstallFlow};
pub mod php_query;
pub mod scenario;
pub use log::LoggedRequest;
pub use state::{ChatHandler, ChatSnapshot};

/// A reqwest client builder for plain HTTP on loopback (the emulator, a test's handler). Its TLS
/// is rustls on ring with no root certificates: cheap to build, and no process-wide crypto
/// provider needed (the workspace's reqwest has none of its own).
pub fn http_client() -> reqwest::ClientBuilder {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
}
