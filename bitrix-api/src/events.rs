//! Receiving Bitrix24 events: everything of the runtime's events module (checking and
//! decoding what a portal POSTs, see [`receive`]), with the router and the fetch-mode poller
//! handing over the crate's [`Event`](crate::Event).

#[doc(inline)]
pub use bitrix_api_runtime::events::*;

#[cfg(feature = "imbot_v2")]
#[cfg_attr(docsrs, doc(cfg(feature = "imbot_v2")))]
pub use crate::poller::{PollError, PolledEvent, Poller};

/// A router with one route: `POST path` receives Bitrix24 events, answers `200 OK` at once
/// and hands each [`Event`](crate::Event) to `handler` on a spawned task; a refused request
/// gets a 4xx (see [`status_of`]). The runtime's router with the crate's `Event`; its page
/// says more.
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
