//! The client: sends typed calls over webhook or OAuth and sorts every answer into a result
//! or a typed error.

use crate::__private::AuthKind;
use crate::envelope::{decode, Decoded, Response};
use crate::error::{ConfigError, Error};
use crate::limits::{
    Budgets, Decision, LeakyBucket, LimitStats, RateLimit, Repeat, RequestBucket, RetryPolicy,
    Stats,
};
use crate::method::{Method, MethodError};
use crate::oauth::{OAuthConfig, Renewer, TokenState, TokenStore, Tokens};
use crate::presend::{check_method_name, prepare, refuse};
use crate::secret::Secret;
use crate::transport::{Http, HttpSettings, RedirectPolicy, DEFAULT_BODY_LIMIT};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A Bitrix24 REST client. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: Http,
    /// Time allowed for one call, token refresh included.
    timeout: Duration,
    auth: Auth,
    check_requests: bool,
    limits: Limits,
}

/// The client's side of the portal's limits, shared by all clones.
struct Limits {
    /// The request-rate gate; `None` when turned off.
    bucket: Option<Arc<dyn RequestBucket>>,
    budgets: Budgets,
    retry: RetryPolicy,
    stats: Stats,
}

enum Auth {
    /// `base` is the whole webhook URL with its trailing slash; it holds the secret code.
    Webhook { base: Secret, shown: String },
    OAuth {
        cfg: OAuthConfig,
        state: Box<TokenState>,
    },
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Client");
        match &self.inner.auth {
            Auth::Webhook { shown, .. } => d.field("webhook", shown),
            Auth::OAuth { cfg, .. } => d
                .field("oauth", &cfg.client_endpoint)
                .field("client_id", &cfg.client_id),
        };
        d.field("check_requests", &self.inner.check_requests)
            .finish()
    }
}

/// Builds a [`Client`] with non-default settings.
#[must_use]
pub struct ClientBuilder {
    auth: Result<PendingAuth, ConfigError>,
    connect_timeout: Duration,
    timeout: Duration,
    check_requests: bool,
    retry: RetryPolicy,
    bucket: Option<Arc<dyn RequestBucket>>,
    operating_budget: Option<Duration>,
    operating_pause: Duration,
    store: Option<Arc<dyn TokenStore>>,
    renewer: Option<Arc<dyn Renewer>>,
    redirects: RedirectPolicy,
    body_limit: usize,
}

enum PendingAuth {
    Webhook(Secret, String),
    OAuth(OAuthConfig, Tokens),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("check_requests", &self.check_requests)
            .field("redirects", &self.redirects)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// Checks that a URL is absolute, and HTTPS unless it points at a loopback host.
pub(crate) fn check_url(url: &str, what: &str) -> Result<url::Url, ConfigError> {
    let u =
        url::Url::parse(url).map_err(|e| ConfigError(format!("{what} is not a valid URL: {e}")))?;
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(ConfigError(format!("{what} has no host"))),
    };
    match u.scheme() {
        "https" => Ok(u),
        "http" if loopback => Ok(u),
        "http" => Err(ConfigError(format!(
            "{what} must use https (plain http is allowed only for loopback hosts such as 127.0.0.1)"
        ))),
        other => Err(ConfigError(format!("{what} must use https, not {other}"))),
    }
}

/// Parses a webhook URL `https://HOST/rest/USER_ID/CODE/`; returns it normalised and a shown form.
fn webhook_parts(url: &str) -> Result<(Secret, String), ConfigError> {
    let u = check_url(url, "the webhook URL")?;
    let segs: Vec<&str> = u.path().split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [rest, user, code] if *rest == "rest" && !user.is_empty() && !code.is_empty() => {
            let host = u.host_str().unwrap_or("");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let base = format!("{}://{host}{port}/rest/{user}/{code}/", u.scheme());
            let shown = format!("{}://{host}{port}/rest/{user}/<redacted>/", u.scheme());
            Ok((Secret::new(base), shown))
        }
        _ => Err(ConfigError(
            "the webhook URL must look like https://PORTAL/rest/USER_ID/CODE/ (as Bitrix24 shows it)".into(),
        )),
    }
}

impl ClientBuilder {
    fn new(auth: Result<PendingAuth, ConfigError>) -> Self {
        ClientBuilder {
            auth,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(75),
            check_requests: true,
            retry: RetryPolicy::default(),
            bucket: Some(Arc::new(LeakyBucket::new(RateLimit::standard()))),
            operating_budget: Some(Duration::from_secs(480)),
            operating_pause: Duration::from_secs(60),
            store: None,
            renewer: None,
            redirects: RedirectPolicy::None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for a whole call, a wait for an OAuth token refresh and the repeats of a read
    /// after transient failures included (default 75 s; Bitrix24 stops a call after 60 s). Waits
    /// for the portal's limits are not part of it (see [`RetryPolicy::refusal_deadline`]).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Whether requests are checked against documented constraints before sending (default on).
    /// Turn it off to let the server judge, e.g. to test a portal's own answers.
    pub fn check_requests(mut self, on: bool) -> Self {
        self.check_requests = on;
        self
    }

    /// Paces requests with a client-side leaky bucket mirroring the portal's (default:
    /// [`RateLimit::standard`], 50 requests draining 2 a second; [`RateLimit::enterprise`] for
    /// Enterprise plans). All clones of the client and its batches share one bucket.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.bucket = Some(Arc::new(LeakyBucket::new(limit)));
        self
    }

    /// Paces requests with your own gate, e.g. one shared between processes.
    pub fn request_bucket(mut self, bucket: Arc<dyn RequestBucket>) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// Sends requests without client-side pacing; refusals are still repeated (see
    /// [`ClientBuilder::retry_policy`]).
    pub fn no_rate_limit(mut self) -> Self {
        self.bucket = None;
        self
    }

    /// When calls are sent again (default [`RetryPolicy::default`]: refusals before running
    /// for up to 5 minutes, reads twice after a transport error or HTTP 5xx, writes never).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The portal's operating-time budget per method in its ten-minute window (default 480 s;
    /// `None` turns pacing off). A method whose reported `time.operating` nears it waits
    /// until `time.operating_reset_at` instead of being refused.
    pub fn operating_budget(mut self, budget: Option<Duration>) -> Self {
        self.operating_budget = budget;
        self
    }

    /// How long a method refused with `OPERATION_TIME_LIMIT` is left alone when no reset time
    /// is known, or the known one has passed (default 60 s, one basket of the window).
    pub fn operating_pause(mut self, pause: Duration) -> Self {
        self.operating_pause = pause;
        self
    }

    /// Refusals for rate are now repeated by default, up to [`RetryPolicy::refusal_deadline`];
    /// this sets that deadline to the total of the pauses it used to make.
    #[deprecated(note = "refusals are repeated by default; use `retry_policy`")]
    pub fn retry_rate_limited(mut self, max_retries: u32, first_pause: Duration) -> Self {
        let mut total = Duration::ZERO;
        let mut pause = first_pause;
        for _ in 0..max_retries {
            total = total.saturating_add(pause);
            pause = (pause * 2).min(Duration::from_secs(8));
        }
        self.retry.refusal_deadline = total;
        self
    }

    /// Which redirects are followed (default none: a 3xx answer is [`Error::Redirect`]).
    /// [`RedirectPolicy::SameOrigin`] follows only those that keep scheme, host and port.
    /// A `Referer` is never sent.
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.redirects = policy;
        self
    }

    /// Most bytes an answer body may have (default 32 MiB). The body is read chunk by chunk and
    /// reading stops as soon as it passes the limit: the call is then [`Error::TooLarge`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Where renewed OAuth tokens are saved.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Who obtains a new OAuth pair when the access token expired (default: the client asks the
    /// OAuth server itself). A token registry shared by several processes sets one, so that a
    /// portal is refreshed once for all of them. The [`TokenStore`] hook is still called after.
    pub fn renewer(mut self, renewer: Arc<dyn Renewer>) -> Self {
        self.renewer = Some(renewer);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let (auth, https) = match self.auth? {
            PendingAuth::Webhook(base, shown) => {
                let https = base.expose().starts_with("https:");
                (Auth::Webhook { base, shown }, https)
            }
            PendingAuth::OAuth(mut cfg, tokens) => {
                let rest = check_url(&cfg.client_endpoint, "the REST endpoint")?;
                let token = check_url(&cfg.token_url, "the OAuth token URL")?;
                let https = rest.scheme() == "https";
                if https && token.scheme() != "https" {
                    return Err(ConfigError(
                        "the OAuth token URL must use https when the portal does".into(),
                    ));
                }
                if !cfg.client_endpoint.ends_with('/') {
                    cfg.client_endpoint.push('/');
                }
                let state = Box::new(TokenState::new(tokens, self.store, self.renewer));
                (Auth::OAuth { cfg, state }, https)
            }
        };
        let http = Http::new(&HttpSettings {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            redirects: self.redirects,
            body_limit: self.body_limit,
            // An https portal is reached over https only, redirects and token refreshes included.
            https_only: https,
        })
        .map_err(|e| ConfigError(format!("cannot start the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                timeout: self.timeout,
                auth,
                check_requests: self.check_requests,
                limits: Limits {
                    bucket: self.bucket,
                    budgets: Budgets::new(self.operating_budget, self.operating_pause),
                    retry: self.retry,
                    stats: Stats::default(),
                },
            }),
        })
    }
}

impl Client {
    /// A client for an incoming webhook URL (`https://PORTAL/rest/USER_ID/CODE/`).
    pub fn webhook(url: &str) -> Result<Client, ConfigError> {
        Self::webhook_builder(url).build()
    }

    /// A builder for a webhook client.
    pub fn webhook_builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(webhook_parts(url).map(|(b, s)| PendingAuth::Webhook(b, s)))
    }

    /// A builder for an OAuth client with its current token pair.
    pub fn oauth_builder(cfg: OAuthConfig, tokens: Tokens) -> ClientBuilder {
        ClientBuilder::new(Ok(PendingAuth::OAuth(cfg, tokens)))
    }

    /// The current OAuth token pair (`None` for a webhook client).
    pub fn tokens(&self) -> Option<Tokens> {
        match &self.inner.auth {
            Auth::OAuth { state, .. } => Some(state.tokens()),
            Auth::Webhook { .. } => None,
        }
    }

    /// Starts a [`crate::Batch`] of calls sent in one request.
    pub fn batch(&self) -> crate::Batch<'_> {
        crate::Batch::new(self)
    }

    pub(crate) fn checks_requests(&self) -> bool {
        self.inner.check_requests
    }

    /// What this client (and its clones) met at the portal's limits so far.
    pub fn limit_stats(&self) -> LimitStats {
        self.inner.limits.stats.snapshot()
    }

    pub(crate) fn stats(&self) -> &Stats {
        &self.inner.limits.stats
    }

    pub(crate) fn budgets(&self) -> &Budgets {
        &self.inner.limits.budgets
    }

    pub(crate) fn bucket(&self) -> Option<&Arc<dyn RequestBucket>> {
        self.inner.limits.bucket.as_ref()
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.limits.retry
    }

    /// Sends JSON params to a method and decodes its result as `T`; `read` as [`Method::READ`].
    pub(crate) async fn send_json<T: crate::__private::Lenient, E: MethodError>(
        &self,
        method: &str,
        params: &serde_json::Value,
        read: bool,
    ) -> Result<Response<T>, Error<E>> {
        let body = serde_json::to_vec(params).unwrap_or_else(|_| b"{}".to_vec());
        self.send(method, body, read).await
    }

    pub(crate) fn auth_kind(&self) -> AuthKind {
        match self.inner.auth {
            Auth::Webhook { .. } => AuthKind::Webhook,
            Auth::OAuth { .. } => AuthKind::OAuth,
        }
    }

    /// Calls a method and returns its typed result.
    pub async fn call<M: Method>(&self, request: M) -> Result<M::Result, Error<M::Error>> {
        self.call_full(request).await.map(|r| r.result)
    }

    /// Calls a method and returns its result with `time`, `total` and `next`.
    pub async fn call_full<M: Method>(
        &self,
        request: M,
    ) -> Result<Response<M::Result>, Error<M::Error>> {
        let params = prepare(self, &request, |r| serde_json::to_vec(r))?;
        let response = self
            .send::<M::Result, M::Error>(M::NAME, params, M::READ)
            .await?;
        match M::result_error(&response.result) {
            Some(e) => Err(Error::from_api(e)),
            None => Ok(response),
        }
    }

    /// Calls any method by name with JSON params, for methods the spec does not cover yet.
    /// A name that is not a method name (`../x`, `a/b`, `a?b`, …) is refused before sending.
    pub async fn call_raw(
        &self,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<Response<serde_json::Value>, Error<crate::NoMethodError>> {
        check_method_name(method).map_err(|m| refuse("call_raw", m))?;
        if !params.is_object() {
            return Err(refuse(
                "call_raw",
                format!("params of {method} must be a JSON object"),
            ));
        }
        self.send_json(method, params, false).await
    }

    /// Sends a call, waiting for the limits before each attempt and repeating it as the
    /// retry policy says; ends with exactly one result or error.
    async fn send<T: crate::__private::Lenient, E: MethodError>(
        &self,
        method: &str,
        params: Vec<u8>,
        read: bool,
    ) -> Result<Response<T>, Error<E>> {
        let span = tracing::debug_span!(
            "bitrix.call",
            method,
            status = tracing::field::Empty,
            ms = tracing::field::Empty
        );
        let started = Instant::now();
        let limits = &self.inner.limits;
        let deadline = started + limits.retry.refusal_deadline;
        let params = bytes::Bytes::from(params);
        let (mut transient, mut rate_refusals) = (0u32, 0u32);
        let result = loop {
            let let_go = self.pace(method).await;
            let result = self.attempt(method, &params, &span).await;
            if let (Some(b), Some(at)) = (&limits.bucket, let_go) {
                // From when the bucket let the request go: a late wake-up before sending
                // counts as delay too.
                b.answered(at, at.elapsed());
            }
            let pause = match &result {
                Ok(r) => {
                    if let Some(t) = &r.time {
                        limits.budgets.observe(method, t);
                    }
                    break result;
                }
                Err(e) => match limits.retry.decide(e, read, transient) {
                    Decision::Stop => break result,
                    Decision::Repeat(Repeat::Rate) => {
                        limits.stats.rate_refusal();
                        rate_refusals += 1;
                        match &limits.bucket {
                            // The bucket now counts itself full and paces the repeat.
                            Some(b) => {
                                b.refused();
                                Duration::ZERO
                            }
                            None => refusal_pause(rate_refusals),
                        }
                    }
                    Decision::Repeat(Repeat::Operating) => {
                        limits.stats.operating_refusal();
                        // `pace` waits it out before the repeat.
                        limits.budgets.refused(method)
                    }
                    Decision::Repeat(Repeat::Transient(p)) => {
                        // A repeat after a transient failure must fit in the call's own
                        // timeout: a call never runs past it (a timed-out attempt is final).
                        if Instant::now() + p >= started + self.inner.timeout {
                            break result;
                        }
                        transient += 1;
                        limits.stats.transient_repeat();
                        p
                    }
                },
            };
            if Instant::now() + pause > deadline && !matches!(&result, Err(e) if e.is_transient()) {
                break result;
            }
            span.in_scope(|| {
                tracing::debug!(
                    pause_ms = pause.as_millis() as u64,
                    error = %result.as_ref().err().map(ToString::to_string).unwrap_or_default(),
                    "repeating the call"
                )
            });
            if !pause.is_zero() && !matches!(&result, Err(e) if e.is_refused_before_running()) {
                limits.stats.waited(pause);
                tokio::time::sleep(pause).await;
            }
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        span.record("ms", ms);
        let _e = span.enter();
        match &result {
            Ok(_) => tracing::debug!(ms, "call succeeded"),
            Err(e) => tracing::debug!(ms, error = %e, "call failed"),
        }
        result
    }

    /// Waits until `method` may be called again under its operating-time budget.
    pub(crate) async fn wait_budget(&self, method: &str) {
        let limits = &self.inner.limits;
        loop {
            let wait = limits.budgets.delay(method);
            if wait.is_zero() {
                break;
            }
            tracing::debug!(
                method,
                wait_ms = wait.as_millis() as u64,
                "waiting for the method's operating-time budget"
            );
            limits.stats.waited(wait);
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits until `method` may be called (operating-time budget) and a request may be sent
    /// (rate bucket); returns when the bucket let it go, if there is one.
    pub(crate) async fn pace(&self, method: &str) -> Option<Instant> {
        let limits = &self.inner.limits;
        // The outer `batch` call is not counted against a budget; its commands are.
        if method != "batch" {
            self.wait_budget(method).await;
        }
        let b = limits.bucket.as_ref()?;
        let asked = Instant::now();
        let waited = b.acquire_at(asked).await;
        if !waited.is_zero() {
            tracing::trace!(wait_ms = waited.as_millis() as u64, "paced by the bucket");
        }
        limits.stats.waited(waited);
        // The slot the bucket gave, which names the request to it.
        Some(asked.checked_add(waited).unwrap_or(asked))
    }

    /// One attempt of a call (with one token refresh on `expired_token`).
    async fn attempt<T: crate::__private::Lenient, E: MethodError>(
        &self,
        method: &str,
        params: &bytes::Bytes,
        span: &tracing::Span,
    ) -> Result<Response<T>, Error<E>> {
        // The attempt, token refresh included, ends within the call's timeout.
        let deadline = Instant::now() + self.inner.timeout;
        match &self.inner.auth {
            Auth::Webhook { base, .. } => {
                let url = format!("{}{method}", base.expose());
                self.post(&url, params.clone(), span, deadline).await
            }
            Auth::OAuth { cfg, state } => {
                let url = format!("{}{method}", cfg.client_endpoint);
                let (token, seen) = state.access();
                let body = with_auth(params, &token).into();
                let first = self.post::<T, E>(&url, body, span, deadline).await;
                match first {
                    Err(e) if e.code() == Some("expired_token") => {
                        state
                            .refresh(&self.inner.http, cfg, seen, deadline)
                            .await
                            .map_err(Error::Auth)?;
                        let (token, _) = state.access();
                        let body = with_auth(params, &token).into();
                        self.post(&url, body, span, deadline).await
                    }
                    other => other,
                }
            }
        }
    }

    async fn post<T: crate::__private::Lenient, E: MethodError>(
        &self,
        url: &str,
        body: bytes::Bytes,
        span: &tracing::Span,
        deadline: Instant,
    ) -> Result<Response<T>, Error<E>> {
        let req = self
            .inner
            .http
            .client
            .post(url)
            .timeout(deadline.saturating_duration_since(Instant::now()))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body);
        let answer = self.inner.http.fetch(req).await?;
        span.record("status", answer.status);
        match decode::<T>(answer.status, answer.content_type.as_deref(), &answer.body) {
            Ok(Decoded::Ok(r)) => Ok(r),
            Ok(Decoded::Api(e)) => Err(Error::from_api(e)),
            Err(d) => Err(Error::Decode(d)),
        }
    }
}

/// The pause before repeat `n` (from 1) of a call refused for rate when no bucket paces it.
fn refusal_pause(n: u32) -> Duration {
    Duration::from_millis(500)
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(Duration::from_secs(8))
}

/// Decodes an answer body of method `M` as the client does: for callers with their own
/// transport, or answers read from a log or a test fixture.
pub fn decode_answer<M: Method>(
    status: u16,
    body: &[u8],
) -> Result<Response<M::Result>, Error<M::Error>> {
    match decode::<M::Result>(status, None, body) {
        Ok(Decoded::Ok(r)) => match M::result_error(&r.result) {
            Some(e) => Err(Error::from_api(e)),
            None => Ok(r),
        },
        Ok(Decoded::Api(e)) => Err(Error::from_api(e)),
        Err(d) => Err(Error::Decode(d)),
    }
}

/// Adds `"auth": TOKEN` to a JSON object body.
fn with_auth(params: &[u8], token: &Secret) -> Vec<u8> {
    let tok = serde_json::to_vec(token.expose()).unwrap_or_default();
    let mut out = Vec::with_capacity(params.len() + tok.len() + 10);
    out.extend_from_slice(b"{\"auth\":");
    out.extend_from_slice(&tok);
    let rest = params.strip_prefix(b"{").unwrap_or(b"}");
    if rest.trim_ascii_start() != b"}" {
        out.push(b',');
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_is_spliced_into_json_objects() {
        let t = Secret::new("a\"b");
        assert_eq!(with_auth(b"{}", &t), br#"{"auth":"a\"b"}"#);
        assert_eq!(with_auth(br#"{"X":1}"#, &t), br#"{"auth":"a\"b","X":1}"#);
    }

    #[test]
    fn webhook_urls_are_checked_and_never_shown() {
        let (base, shown) = webhook_parts("https://p.bitrix24.com/rest/1/s3cr3t").unwrap();
        assert_eq!(base.expose(), "https://p.bitrix24.com/rest/1/s3cr3t/");
        assert!(!shown.contains("s3cr3t"));
        let e = webhook_parts("http://p.bitrix24.com/rest/1/s3cr3t/")
            .err()
            .unwrap();
        assert!(e.to_string().contains("https") && !e.to_string().contains("s3cr3t"));
        assert!(webhook_parts("http://127.0.0.1:8080/rest/1/x/").is_ok());
        assert!(webhook_parts("http://[::1]:8080/rest/1/x/").is_ok());
        assert!(webhook_parts("https://p.bitrix24.com/rest/1/").is_err());
        let c = Client::webhook("https://p.bitrix24.com/rest/1/s3cr3t/").unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }
}
