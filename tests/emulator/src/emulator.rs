//! The [`Emulator`] handle: starting the server and steering it from tests.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::oneshot;

use crate::auth::{random_token, PortalAddress, TokenStore, Tokens};
use crate::config::{Config, OperatingLimit, RateLimit};
use crate::errors;
use crate::events::{self, CustomerMessage, Delivery, FetchQueue};
use crate::faults::{self, Fault, FaultQueue};
use crate::install::{self, AppInstall, AuthorizationCode, InstallApp};
use crate::log::LoggedRequest;
use crate::operating::Operating;
use crate::rate::LeakyBucket;
use crate::server;
use crate::shared::{lock, Shared};
use crate::state::{ChatSnapshot, Portal, ADMIN_USER_ID, OPERATOR_CHAT_ID, RESTRICTED_DEAL_ID};
use crate::wire::clock::unix_secs;

/// A running emulated portal on `127.0.0.1`.
///
/// Cheap to clone; all clones steer the same server. The server stops when
/// [`Emulator::shutdown`] is called or the last clone is dropped (or when
/// the tokio runtime it was started on ends).
#[derive(Debug, Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Arc<Stopper>,
}

/// Sends the shutdown signal once, when told to or when dropped.
#[derive(Debug)]
struct Stopper(Mutex<Option<oneshot::Sender<()>>>);

impl Stopper {
    fn stop(&self) {
        if let Some(tx) = lock(&self.0).take() {
            // The server may already be gone; nothing to do then.
            let _ = tx.send(());
        }
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Emulator {
    /// Binds `127.0.0.1:config.port` (0: any free port) and serves on a
    /// spawned tokio task. Must be called inside a tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let tokens = TokenStore::new(config.access_token_ttl);
        Self::start_with(config, Arc::new(Mutex::new(tokens))).await
    }

    /// Starts another portal (its own `member_id`, domain and data) that shares `other`'s
    /// OAuth server, as every Bitrix24 portal shares one: either emulator's token endpoint
    /// renews the tokens of both, each answer naming the portal the token belongs to, and a
    /// token works on its own portal's REST API only. `config.access_token_ttl` is `other`'s;
    /// give both the same `client_id` and `client_secret` (the defaults are) for one
    /// application installed on two portals.
    pub async fn start_sharing_oauth(
        config: Config,
        other: &Emulator,
    ) -> std::io::Result<Emulator> {
        Self::start_with(config, Arc::clone(&other.shared.tokens)).await
    }

    async fn start_with(
        config: Config,
        tokens: Arc<Mutex<TokenStore>>,
    ) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let host = addr.to_string();
        let base_url = format!("http://{host}");
        let member_id = random_token();
        lock(&tokens).add_portal(
            &member_id,
            PortalAddress {
                base_url: base_url.clone(),
            },
        );
        let shared = Arc::new(Shared {
            base_url,
            host,
            member_id,
            portal: Mutex::new(Portal::seed(
                &config.bot_client_id,
                unix_secs(SystemTime::now()),
            )),
            tokens,
            faults: Mutex::new(FaultQueue::default()),
            rate: Mutex::new(config.rate_limit.map(LeakyBucket::new)),
            operating: Mutex::new(config.operating_limit.map(Operating::new)),
            rate_refusals: AtomicU64::new(0),
            operating_refusals: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            refresh_count: AtomicUsize::new(0),
            app_has_bot: AtomicBool::new(config.app_has_bot),
            application_token: random_token(),
            hooks: Mutex::new(None),
            v2_hooks: Mutex::new(None),
            deliveries: Mutex::new(Vec::new()),
            fetch: Mutex::new(FetchQueue::default()),
            installed: AtomicBool::new(true),
            app: Mutex::new(None),
            scopes: Mutex::new(config.scopes.as_ref().map(|s| s.iter().cloned().collect())),
            http: crate::http_client()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
            config,
        });
        let (tx, rx) = oneshot::channel::<()>();
        let app = server::router(Arc::clone(&shared));
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!("emulator server stopped with an error: {e}");
            }
        });
        tracing::debug!("bitrix emulator listening on {addr}");
        Ok(Emulator {
            shared,
            addr,
            stop: Arc::new(Stopper(Mutex::new(Some(tx)))),
        })
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The incoming webhook of user 1: `http://127.0.0.1:PORT/rest/1/<code>/`.
    pub fn webhook_url(&self) -> String {
        format!(
            "{}/rest/{}/{}/",
            self.shared.base_url, ADMIN_USER_ID, self.shared.config.webhook_code
        )
    }

    /// The application token the portal sends in every event's `auth` block (what a handler
    /// checks `auth[application_token]` against).
    pub fn application_token(&self) -> String {
        self.shared.application_token.clone()
    }

    /// The `EVENT_MESSAGE_ADD` handler URL the bot registered with `imbot.register`, if any.
    pub fn bot_handler_url(&self) -> Option<String> {
        lock(&self.shared.hooks)
            .as_ref()
            .map(|h| h.message_add.clone())
    }

    /// A customer writes `text` in the open-line chat `chat_id`: the message is added to the
    /// chat and, when the bot handles the chat, queued as a fetch-mode `ONIMBOTV2MESSAGEADD`
    /// and, when the bot registered a handler, POSTed to it as `ONIMBOTMESSAGEADD` (a PHP
    /// `http_build_query` form, as a portal sends it). Waits for the handler's HTTP answer,
    /// not for what the bot then does. `Err` for an unknown chat.
    pub async fn customer_writes(
        &self,
        chat_id: i64,
        text: &str,
    ) -> Result<CustomerMessage, String> {
        events::customer_writes(&self.shared, chat_id, text).await
    }

    /// Waits (up to `timeout`) until the chat changed after a customer's message (see
    /// [`CustomerMessage::messages_before_reply`]): the bot answered, handed the chat over or
    /// finished it, and then did nothing more for 150 ms. `None` when nothing changed in time.
    pub async fn wait_for_answer(
        &self,
        chat_id: i64,
        after: &CustomerMessage,
        timeout: std::time::Duration,
    ) -> Option<ChatSnapshot> {
        events::wait_for_answer(&self.shared, chat_id, after.messages_before_reply, timeout).await
    }

    /// Every event POSTed to a handler so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.shared.deliveries).clone()
    }

    /// The secret part of the webhook URL.
    pub fn webhook_code(&self) -> String {
        self.shared.config.webhook_code.clone()
    }

    /// The OAuth client endpoint: `http://127.0.0.1:PORT/rest/`.
    pub fn rest_url(&self) -> String {
        format!("{}/rest/", self.shared.base_url)
    }

    /// The token endpoint: `http://127.0.0.1:PORT/oauth/token/`.
    pub fn oauth_token_url(&self) -> String {
        format!("{}/oauth/token/", self.shared.base_url)
    }

    /// The application's `client_id`.
    pub fn client_id(&self) -> String {
        self.shared.config.client_id.clone()
    }

    /// The application's `client_secret`.
    pub fn client_secret(&self) -> String {
        self.shared.config.client_secret.clone()
    }

    /// `CLIENT_ID` of the seeded chat-bot, to send in webhook calls of
    /// `imopenlines.bot.session.transfer` and `.finish`.
    pub fn bot_client_id(&self) -> String {
        lock(&self.shared.portal).bot.client_id.clone()
    }

    /// Id (and user id) of the seeded chat-bot.
    pub fn bot_id(&self) -> i64 {
        lock(&self.shared.portal).bot.id
    }

    /// Issues a fresh, valid token pair for user 1, as an installation would.
    pub fn issue_tokens(&self) -> Tokens {
        lock(&self.shared.tokens).issue(&self.shared.member_id, ADMIN_USER_ID)
    }

    /// The portal's `member_id` (random, one per emulator).
    pub fn member_id(&self) -> String {
        self.shared.member_id.clone()
    }

    /// The portal's domain, `127.0.0.1:PORT` (one per emulator; see
    /// [`start_sharing_oauth`](Self::start_sharing_oauth) for several portals).
    pub fn domain(&self) -> String {
        self.shared.host.clone()
    }

    /// Installs the application as a portal does: POSTs the install request (the
    /// installation callback or the install wizard's form, see [`InstallApp`]) with a fresh
    /// token pair to `app.handler_url`, then `ONAPPINSTALL` with another pair and the
    /// [`application_token`](Self::application_token) to `app.event_url`, if set. Waits for
    /// the handlers' answers. Installing again repeats both POSTs.
    pub async fn install_app(&self, app: &InstallApp) -> AppInstall {
        install::install(&self.shared, app).await
    }

    /// Uninstalls the application: POSTs `ONAPPUNINSTALL` (`data[CLEAN]` 1 when `clean`) to
    /// the event handler given at install, if any, and revokes every token and code (calls
    /// then answer `NO_AUTH_FOUND`, refreshes `invalid_grant`). `Err` when the application
    /// was not installed with [`install_app`](Self::install_app).
    pub async fn uninstall_app(&self, clean: bool) -> Result<Option<Delivery>, String> {
        install::uninstall(&self.shared, clean).await
    }

    /// A user authorizes the application (step 1 of the full OAuth protocol): a one-time code
    /// for the token endpoint's `grant_type=authorization_code`, valid 30 seconds. `Err` after
    /// an uninstall.
    pub fn authorize(&self) -> Result<AuthorizationCode, String> {
        install::authorize(&self.shared)
    }

    /// Makes every access token issued so far expired (`401 expired_token`);
    /// their refresh tokens stay usable.
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.tokens).expire_all(&self.shared.member_id);
    }

    /// Number of requests the token endpoint received, successful or not.
    pub fn refresh_count(&self) -> usize {
        self.shared.refresh_count.load(Ordering::SeqCst)
    }

    /// Applies `fault` to the next `times` REST requests, whatever their
    /// method. Faults queue up in the order injected.
    pub fn inject_fault(&self, fault: Fault, times: usize) {
        lock(&self.shared.faults).push(fault, times, None);
    }

    /// Applies `fault` to the next `times` REST requests of `method` only
    /// (case-insensitive, `.json` suffix ignored).
    pub fn inject_fault_for(&self, method: &str, fault: Fault, times: usize) {
        lock(&self.shared.faults).push(fault, times, Some(method));
    }

    /// Answers the next `times` requests of `method` with its documented error `code` (one of
    /// the method's own errors in the spec, or a system error of `spec/common/errors.yaml`),
    /// with the documented status and message, without running the method. An error the docs
    /// place inside a successful answer comes as `200` with `result.error`. For a code with
    /// several documented cases, the first; [`Emulator::inject_documented_case`] picks one by
    /// its message. `Err` when the method is not in the spec or does not document the code.
    pub fn inject_documented_error(
        &self,
        method: &str,
        code: &str,
        times: usize,
    ) -> Result<(), String> {
        self.inject_documented_case(method, code, None, times)
    }

    /// Like [`Emulator::inject_documented_error`], for the case of `code` with `message`
    /// (any case when `None`).
    pub fn inject_documented_case(
        &self,
        method: &str,
        code: &str,
        message: Option<&str>,
        times: usize,
    ) -> Result<(), String> {
        let fault = faults::documented(method, code, message)?;
        lock(&self.shared.faults).push(fault, times, Some(method));
        Ok(())
    }

    /// Replaces the scopes granted to the webhook and the application (`None`: every scope);
    /// a spec method needing a scope not granted answers `403 insufficient_scope`.
    pub fn set_scopes(&self, scopes: Option<&[&str]>) {
        *lock(&self.shared.scopes) = scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect());
    }

    /// Whether `method` has a stateful handler (open-line dialogs, bot sessions, `imbot`
    /// registration, `user.get`, `batch`); every other spec method gets the spec-driven answer.
    pub fn is_stateful(method: &str) -> bool {
        crate::faults::normalize_method(method) == "batch" || crate::methods::is_stateful(method)
    }

    /// Drops all pending faults.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Registers (`true`) or unregisters (`false`) the application's chat-bot;
    /// without it `imopenlines.bot.session.transfer` and `.finish` answer
    /// `BOT_ID_ERROR`, over OAuth and over the webhook alike.
    pub fn set_app_has_bot(&self, yes: bool) {
        self.shared.app_has_bot.store(yes, Ordering::SeqCst);
    }

    /// Whether the application's chat-bot is registered.
    pub fn app_has_bot(&self) -> bool {
        self.shared.app_has_bot.load(Ordering::SeqCst)
    }

    /// Replaces the rate limit (`None` turns it off); the counter restarts at zero.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.shared.rate) = limit.map(LeakyBucket::new);
    }

    /// Replaces the operating-time budget (`None` turns it off); all usage is forgotten.
    pub fn set_operating_limit(&self, limit: Option<OperatingLimit>) {
        *lock(&self.shared.operating) = limit.map(Operating::new);
    }

    /// Requests refused with `QUERY_LIMIT_EXCEEDED` by the rate limit so far
    /// (injected faults are not counted).
    pub fn rate_refusals(&self) -> u64 {
        self.shared.rate_refusals.load(Ordering::SeqCst)
    }

    /// Calls (top-level or inside a batch) refused with `OPERATION_TIME_LIMIT`
    /// by the operating-time budget so far (injected faults are not counted).
    pub fn operating_refusals(&self) -> u64 {
        self.shared.operating_refusals.load(Ordering::SeqCst)
    }

    /// Sets both refusal counters back to zero.
    pub fn reset_refusal_counters(&self) {
        self.shared.rate_refusals.store(0, Ordering::SeqCst);
        self.shared.operating_refusals.store(0, Ordering::SeqCst);
    }

    /// Answers the next `times` REST requests with `503 QUERY_LIMIT_EXCEEDED`
    /// without running them, as when another program has filled the bucket.
    pub fn inject_rate_storm(&self, times: usize) {
        self.inject_fault(error_fault(&errors::QUERY_LIMIT_EXCEEDED), times);
    }

    /// Answers the next `times` top-level requests of `method` with
    /// `429 OPERATION_TIME_LIMIT` without running them.
    pub fn inject_operation_time_limit(&self, method: &str, times: usize) {
        self.inject_fault_for(method, error_fault(&errors::OPERATION_TIME_LIMIT), times);
    }

    /// All REST requests received so far, in the order they were answered.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Chats whose open session the bot currently handles.
    pub fn bot_chat_ids(&self) -> Vec<i64> {
        lock(&self.shared.portal).bot_chat_ids()
    }

    /// The seeded chat that an operator was already handling at start.
    pub fn operator_chat_id(&self) -> i64 {
        OPERATOR_CHAT_ID
    }

    /// Employees who can take dialogs (valid `USER_ID` targets of a transfer).
    pub fn operator_user_ids(&self) -> Vec<i64> {
        lock(&self.shared.portal).operator_ids()
    }

    /// Id of the open line's queue (a valid `QUEUE_ID`).
    pub fn queue_id(&self) -> i64 {
        lock(&self.shared.portal).line.id
    }

    /// A CRM deal id for which `imopenlines.crm.chat.get` answers `ACCESS_DENIED`.
    pub fn restricted_deal_id(&self) -> i64 {
        RESTRICTED_DEAL_ID
    }

    /// The current state of one chat, or `None` if there is no such chat.
    pub fn chat(&self, chat_id: i64) -> Option<ChatSnapshot> {
        lock(&self.shared.portal).snapshot(chat_id)
    }

    /// How many employees `user.get` lists.
    pub fn directory_users(&self) -> usize {
        self.shared.config.directory_users
    }

    /// Stops accepting connections and closes idle ones.
    pub fn shutdown(self) {
        self.stop.stop();
    }
}

/// The fault that answers with `e`.
fn error_fault(e: &errors::ApiError) -> Fault {
    Fault::Error {
        status: e.status,
        code: e.code.to_string(),
        message: e.message.to_string(),
    }
}
