//! Receiving Bitrix24 events: the wire layer.
//!
//! A portal delivers an event (`ONIMBOTMESSAGEADD`, `ONIMBOTV2MESSAGEADD`, `ONAPPINSTALL`, …)
//! by POSTing it to the handler URL as `application/x-www-form-urlencoded`, written by PHP's
//! `http_build_query`: nested keys in brackets (`data[PARAMS][MESSAGE]=…`), every scalar as
//! text, `true`/`false` as `1`/`0`, `null` as `""` or left out, empty arrays left out. A bot in
//! fetch mode gets the same payloads as JSON with their real types.
//!
//! [`receive`] takes a body as the HTTP server hands it over (content type and bytes; no web
//! framework needed), and either returns a [`ReceivedEvent`] whose `auth[application_token]`
//! matched the token stored for its portal, or a [`Rejection`] saying why not:
//!
//! 1. the content type must be `application/x-www-form-urlencoded` or `application/json`
//!    (a `charset` parameter, if any, must be UTF-8);
//! 2. the body must fit the [`Limits`] (size, nesting, number of fields) and decode: a form
//!    body by PHP's own rules (listed in [`parse_form`]), JSON as JSON;
//! 3. it must have an `event` key and an `auth[application_token]`;
//! 4. [`AppTokens`] gives the token stored for `auth[member_id]` / `auth[domain]`, and the two
//!    are compared in constant time.
//!
//! The event's `data` stays as received ([`EventData`]) until [`ReceivedEvent::decode`] reads
//! it into a payload type: any `serde::Deserialize` type, including the generated types of
//! this crate, whose lenient decoding reads numbers and booleans from text;
//! [`ReceivedEvent::typed`] reads it into the crate's [`Event`](crate::Event) by the event's
//! name. With the cargo feature `axum`, `router` receives, answers and hands each typed
//! event to your handler; in fetch mode (feature `imbot_v2`), `Poller` reads them with
//! `imbot.v2.Event.get`. The same type
//! decodes from a form body and from fetch-mode JSON ([`EventData::Json`]).
//!
//! ```
//! # async fn run() -> Result<(), bitrix_api::events::Rejection> {
//! use bitrix_api::events::{receive, FixedToken, Limits};
//!
//! #[derive(serde::Deserialize)]
//! struct Install {
//!     #[serde(rename = "VERSION")]
//!     version: String,
//! }
//!
//! let body = b"event=ONAPPINSTALL&data%5BVERSION%5D=1&ts=1696527000\
//!              &auth%5Bapplication_token%5D=51856fef&auth%5Bmember_id%5D=a223c6b3";
//! let tokens = FixedToken::new("51856fef");
//! let event = receive("application/x-www-form-urlencoded", body, &Limits::default(), &tokens).await?;
//! assert_eq!(event.event, "ONAPPINSTALL");
//! let install: Install = event.decode()?;
//! assert_eq!(install.version, "1");
//! # Ok(()) }
//! ```
//!
//! Nothing here prints a token: [`EventAuth`] holds them as [`Secret`](crate::Secret)s,
//! `Debug` of the data withholds the values of keys naming secrets (the bots' own tokens
//! travel inside `data`), and a [`Rejection`] never quotes them.

#[doc(inline)]
pub use bitrix_api_runtime::events::*;

#[cfg(feature = "imbot_v2")]
#[cfg_attr(docsrs, doc(cfg(feature = "imbot_v2")))]
pub use crate::poller::{PollError, PolledEvent, Poller};

/// A router with one route: `POST path` receives Bitrix24 events (webhook deliveries as PHP
/// forms, or JSON).
///
/// Each request is checked by [`receive`] (content type, [`Limits`], the
/// application token from `tokens`) and decoded with [`ReceivedEvent::typed`] into the
/// crate's [`Event`](crate::Event) (the runtime's `router` takes any [`TypedEvent`]); then the
/// portal gets `200 OK` straight away (it expects a fast answer), and `handler` runs on a
/// spawned tokio task with the event, so a slow handler never delays the answer. A refused
/// request gets a 4xx (see [`status_of`]) whose body is the [`Rejection`]'s text, which never
/// holds a secret; the handler does not run.
///
/// Mount it with `Router::merge` / `nest`, or serve it alone:
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use bitrix_api::events::{router, FixedToken, Limits};
///
/// let app = router("/bitrix/events", FixedToken::new("app-token"), Limits::default(),
///     |event, received| async move {
///         println!("{} from {:?}", event.name(), received.auth.domain);
///     });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub fn router<T, H, F>(path: &str, tokens: T, limits: Limits, handler: H) -> axum::Router
where
    T: AppTokens + 'static,
    H: Fn(crate::Event, ReceivedEvent) -> F + Send + Sync + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    bitrix_api_runtime::events::router(path, tokens, limits, handler)
}
