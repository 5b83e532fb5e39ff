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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limit: None,
            app_has_bot: true,
            access_token_ttl: Duration::from_secs(3600),
            port: 0,
            webhook_code: "k3d9x0emu7hook2q".to_owned(),
            client_id: "local.65f0c0ffee0a11.00000001".to_owned(),
            client_secret: "EmUlAtOrSeCrEt0123456789abcdefghijklmnopQRSTUVwxyz".to_owned(),
            bot_client_id: "emulator_support_bot".to_owned(),
        }
    }
}

/// Leaky-bucket parameters: every REST request adds one to a counter, the
/// counter drops by `drain_per_sec` once a second, and a request that would
/// take it above `threshold` is refused with `503 QUERY_LIMIT_EXCEEDED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in a burst (the docs' `X`).
    pub threshold: u32,
    /// Amount the counter drops each second (the docs' `Y`).
    pub drain_per_sec: u32,
}
