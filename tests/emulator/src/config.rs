//! Start-up settings of an emulated portal.

use std::time::Duration;

/// Settings for [`crate::Emulator::start`].
///
/// `Config::default()` gives a portal without a rate limit, whose application
/// has its chat-bot registered, whose access tokens live one hour, listening on
/// a free loopback port, with fixed, documented credentials.
#[derive(Debug, Clone)]
pub struct Config {
    /// The request-rate limit (leaky bucket); `None` turns it off.
    pub rate_limit: Option<RateLimit>,
    /// The per-method operating-time budget; `None` turns it off.
    pub operating_limit: Option<OperatingLimit>,
    /// How many employees `user.get` lists (ids 1001, 1002, ...; the seeded
    /// users are not among them). Default 120.
    pub directory_users: usize,
    /// How many chats `im.recent.list` lists (ids 2001, 2002, ...), paged by `OFFSET`.
    /// Default 30.
    pub recent_chats: usize,
    /// How many messages `im.dialog.messages.get` holds in any dialog (ids 10001, 10002, ...),
    /// paged by `LAST_ID` / `FIRST_ID`. Default 60.
    pub dialog_messages: usize,
    /// How many open lines `imopenlines.config.list.get` lists (ids "1", "2", ...), paged by
    /// `PARAMS.offset` / `PARAMS.limit`. Default 3.
    pub open_lines: usize,
    /// Whether the OAuth application owns a registered chat-bot. Without one
    /// `imopenlines.bot.session.transfer` and `.finish` answer `BOT_ID_ERROR`.
    pub app_has_bot: bool,
    /// How long a freshly issued access token stays valid.
    pub access_token_ttl: Duration,
    /// TCP port to bind on 127.0.0.1; `0` picks any free port.
    pub port: u16,
    /// Secret part of the incoming webhook of user 1.
    pub webhook_code: String,
    /// `client_id` of the OAuth application.
    pub client_id: String,
    /// `client_secret` of the OAuth application.
    pub client_secret: String,
    /// `CLIENT_ID` the application's chat-bot was registered with; webhook
    /// callers of `imopenlines.bot.session.transfer` and `.finish` must send it.
    pub bot_client_id: String,
    /// Scopes granted to the webhook and to the OAuth application (`imbot`, `imopenlines`,
    /// …); a spec method needing another answers `403 insufficient_scope`. `None` (the
    /// default): every scope.
    pub scopes: Option<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limit: None,
            operating_limit: None,
            directory_users: 120,
            recent_chats: 30,
            dialog_messages: 60,
            open_lines: 3,
            app_has_bot: true,
            access_token_ttl: Duration::from_secs(3600),
            port: 0,
            webhook_code: "k3d9x0emu7hook2q".to_owned(),
            client_id: "local.65f0c0ffee0a11.00000001".to_owned(),
            client_secret: "EmUlAtOrSeCrEt0123456789abcdefghijklmnopQRSTUVwxyz".to_owned(),
            bot_client_id: "emulator_support_bot".to_owned(),
            scopes: None,
        }
    }
}

/// Leaky-bucket parameters: every REST request adds one to a counter, the
/// counter drops by `drain_per_sec` once a `tick` (a second on a portal), and
/// a request that would take it above `threshold` is refused with
/// `503 QUERY_LIMIT_EXCEEDED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in a burst (the docs' `X`).
    pub threshold: u32,
    /// Amount the counter drops each tick (the docs' `Y`).
    pub drain_per_sec: u32,
    /// How often the counter drops: one second on a portal; shorter to run
    /// the emulator's clock faster (a scaled clock, for tests and benchmarks).
    pub tick: Duration,
}

impl RateLimit {
    /// `threshold` requests, draining `drain_per_sec` each second.
    pub const fn new(threshold: u32, drain_per_sec: u32) -> Self {
        RateLimit {
            threshold,
            drain_per_sec,
            tick: Duration::from_secs(1),
        }
    }

    /// The same limit with the counter dropping every `tick`.
    pub const fn with_tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }
}

/// The per-method operating-time budget: each call of a method (also inside a
/// `batch`; the outer `batch` is not counted) adds `cost` of server time to
/// the current basket of that method and caller; a basket opens with the first
/// call after the previous one is `window / 10` old and leaves the count
/// `window` after it opened. A call that finds the count above `budget` is
/// refused with `429 OPERATION_TIME_LIMIT` without running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperatingLimit {
    /// Server time a method may use in the window (480 s on a portal).
    pub budget: Duration,
    /// The accounting window (10 minutes on a portal; shorter for a scaled clock).
    pub window: Duration,
    /// Server time one call costs (the emulator's methods take next to none).
    pub cost: Duration,
}

impl OperatingLimit {
    /// A portal's budget (480 s in 10 minutes) with calls of `cost` each.
    pub const fn portal(cost: Duration) -> Self {
        OperatingLimit {
            budget: Duration::from_secs(480),
            window: Duration::from_secs(600),
            cost,
        }
    }
}
