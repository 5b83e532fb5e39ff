//! Typed Rust binding for the Bitrix24 REST API.
//!
//! Every method is generated from a YAML spec that is checked against the
//! official documentation: a request struct (with a builder), a typed result, and an enum of
//! the method's documented errors. One generic [`Client::call`] sends any of them.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_api::{imopenlines, Client, Error};
//! let client = Client::webhook("https://example.bitrix24.com/rest/1/abc123/")?;
//! let request = imopenlines::BotSessionFinish::new(112).client_id("my-bot");
//! match client.call(request).await {
//!     Ok(done) => println!("finished: {done}"),
//!     Err(Error::Method(imopenlines::BotSessionFinishError::BotIdError(e))) => {
//!         println!("register the bot first: {e}")
//!     }
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! Methods live in one module per namespace (`imopenlines`, `imbot_v2`, …), each behind the
//! cargo feature of the same name; `full` (the default) enables all.
//!
//! - Auth: [`Client::webhook`] for an incoming webhook, [`Client::oauth_builder`] for an
//!   application (tokens renewed once however many calls meet `expired_token`; a
//!   [`TokenStore`] persists each new pair).
//! - Errors: [`Error`] sorts every failure into the method's documented error, a
//!   [`SystemError`], an unknown code kept verbatim, a refusal before sending, a transport
//!   failure, or an undecodable answer that keeps its raw body.
//! - [`Client::batch`] sends up to 50 typed calls in one request; [`Client::call_full`] also
//!   returns `time` and, for lists, `total` / `next`.
//! - Events: [`events::receive`] checks and decodes an event a portal POSTs to a handler (PHP
//!   form encoding or JSON) and hands its data to any `Deserialize` payload type.
//! - Installation: [`install::Installer`] reads the install wizard's form or `ONAPPINSTALL`,
//!   confirms it with the OAuth server and gives an [`install::Installation`];
//!   [`OAuthApp::exchange_code`] trades an authorization code for the first pair.
//! - Limits: a client-side bucket ([`RateLimit`], on by default) paces every request as fast
//!   as the portal's leaky bucket allows without a refusal;
//!   each method's operating-time budget is followed from `time.operating`; refusals before
//!   running are repeated, transient failures only for reads ([`RetryPolicy`]).
//! - Bulk: [`Client::batch_all`] / [`Client::bulk`] send any number of calls in batches of 50;
//!   [`Client::list`] streams every item of a [`ListMethod`].
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The runtime: client, errors, batches, lists, limits, events, OAuth, installation, and the
// shared generated items (`Scope`, `SystemError`, `types`).
#[doc(inline)]
pub use bitrix_api_runtime::*;

pub mod events;
#[cfg(feature = "imbot_v2")]
mod poller;

// Generated from `spec/` by `cargo run -p bitrix-tools -- generate` and never edited by hand
// (a test fails while it is out of date with the spec): each namespace crate re-exported as a
// module behind its cargo feature, and the `Event` enum of them all.
include!("generated/namespaces.rs");
