//! The state shared by the server tasks and the [`crate::Emulator`] handle.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::auth::TokenStore;
use crate::config::Config;
use crate::events::{BotHooks, Delivery, FetchQueue, V2Hooks};
use crate::faults::FaultQueue;
use crate::install::Installed;
use crate::log::LoggedRequest;
use crate::operating::Operating;
use crate::rate::LeakyBucket;
use crate::state::Portal;

/// Everything a request handler may read or change. Locks are held only for
/// short, non-async sections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// `127.0.0.1:PORT`, also used as the portal's domain.
    pub host: String,
    /// Portal identifier sent as `member_id`.
    pub member_id: String,
    pub portal: Mutex<Portal>,
    /// The OAuth server's tokens and codes (shared with other emulators started with
    /// `Emulator::start_sharing_oauth`).
    pub tokens: Arc<Mutex<TokenStore>>,
    pub faults: Mutex<FaultQueue>,
    pub rate: Mutex<Option<LeakyBucket>>,
    pub operating: Mutex<Option<Operating>>,
    /// Requests refused with `QUERY_LIMIT_EXCEEDED` by the rate limit.
    pub rate_refusals: AtomicU64,
    /// Calls refused with `OPERATION_TIME_LIMIT` by the operating-time budget.
    pub operating_refusals: AtomicU64,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub refresh_count: AtomicUsize,
    pub app_has_bot: AtomicBool,
    /// The application token sent in every event's `auth` block.
    pub application_token: String,
    /// The bot's handler URL, once `imbot.register` was called.
    pub hooks: Mutex<Option<BotHooks>>,
    /// The v2 bot's registration (`imbot.v2.Bot.register`), if any.
    pub v2_hooks: Mutex<Option<V2Hooks>>,
    /// Every event POSTed to a handler, oldest first.
    pub deliveries: Mutex<Vec<Delivery>>,
    /// The bot's fetch-mode events (`imbot.v2.Event.get`).
    pub fetch: Mutex<FetchQueue>,
    /// Scopes granted to the webhook and the application; `None`: every scope.
    pub scopes: Mutex<Option<BTreeSet<String>>>,
    /// The client that POSTs events.
    pub http: reqwest::Client,
    /// Whether the application is installed (codes are issued only then).
    pub installed: AtomicBool,
    /// The handlers of the application installed with `install_app`, if any.
    pub app: Mutex<Option<Installed>>,
}

/// Locks a mutex, carrying on with the data if another thread panicked
/// while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
