//! Errors of a call: one type, generic over the method's documented error enum.

use crate::method::MethodError;
use crate::SystemError;
use std::fmt;
use std::sync::Arc;

/// An error answer of the server, as sent: `{"error": code, "error_description": text}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The `error` code, verbatim.
    pub code: String,
    /// The `error_description`, verbatim (empty when absent).
    pub description: String,
    /// The HTTP status of the answer.
    pub status: u16,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Some errors come with `"error": ""`; say so rather than print nothing.
        let code = if self.code.is_empty() {
            "(no code)"
        } else {
            &self.code
        };
        write!(f, "{code} (HTTP {})", self.status)?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A parameter that breaks a documented rule, found before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the parameter, by wire names (`CHAT_ID`, `fields.botToken`, `ITEMS[2].ID`).
    pub param: String,
    /// What is wrong.
    pub message: String,
}

/// A request refused before sending, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The method.
    pub method: &'static str,
    /// The problems.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} was not sent: ", self.method)?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", p.param, p.message)?;
        }
        Ok(())
    }
}

/// How much of an undecodable body a [`DecodeError`] keeps (64 KiB).
pub const DECODE_BODY_KEPT: usize = 64 * 1024;

/// An answer that could not be decoded: an HTML error page, a truncated body, a wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub status: u16,
    /// Its `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// What went wrong.
    pub reason: String,
    /// The body as received (lossy UTF-8), or only its first [`DECODE_BODY_KEPT`] bytes when
    /// it was longer (then `cut` is set).
    pub body: String,
    /// Length of the whole body in bytes.
    pub body_len: usize,
    /// Whether `body` holds only the start of the body.
    pub cut: bool,
}

impl DecodeError {
    /// An error keeping at most [`DECODE_BODY_KEPT`] bytes of `body`.
    pub(crate) fn new(
        status: u16,
        content_type: Option<String>,
        reason: String,
        body: &[u8],
    ) -> Self {
        let cut = body.len() > DECODE_BODY_KEPT;
        let kept = &body[..body.len().min(DECODE_BODY_KEPT)];
        DecodeError {
            status,
            content_type,
            reason,
            body: String::from_utf8_lossy(kept).into_owned(),
            body_len: body.len(),
            cut,
        }
    }

    /// An error whose body is not kept (it holds secrets, e.g. a token answer).
    pub(crate) fn redacted(
        status: u16,
        content_type: Option<String>,
        reason: String,
        len: usize,
    ) -> Self {
        DecodeError {
            status,
            content_type,
            reason,
            body: "<redacted>".into(),
            body_len: len,
            cut: false,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecodable answer (HTTP {}", self.status)?;
        if let Some(ct) = &self.content_type {
            write!(f, ", {ct}")?;
        }
        write!(f, ", {} bytes", self.body_len)?;
        if self.cut {
            write!(f, ", first {} KiB kept", DECODE_BODY_KEPT / 1024)?;
        }
        write!(f, "): {}", self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// A failure to reach the server or to read its answer. Never holds the URL (it may carry secrets).
#[derive(Debug, Clone)]
pub struct TransportError {
    /// Whether the failure was a timeout.
    pub timeout: bool,
    /// Whether the connection could not be made.
    pub connect: bool,
    pub(crate) source: Arc<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        TransportError {
            timeout: e.is_timeout(),
            connect: e.is_connect(),
            source: Arc::new(e.without_url()),
        }
    }

    /// A timeout of the client's own (not of the HTTP stack), such as a wait for a token refresh.
    pub(crate) fn timed_out(what: &'static str) -> Self {
        TransportError {
            timeout: true,
            connect: false,
            source: Arc::new(Plain(what)),
        }
    }
}

/// A fixed message as an error.
#[derive(Debug)]
struct Plain(&'static str);

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Plain {}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.timeout {
            "timed out"
        } else if self.connect {
            "could not connect"
        } else {
            "transport failure"
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A redirect the client did not follow. Redirects are not followed unless
/// [`crate::ClientBuilder::redirects`] allows same-origin ones; the secret URL is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    /// The 3xx status.
    pub status: u16,
    /// Origin (`scheme://host:port`) of the target, when the answer named one; never its path.
    pub to: Option<String>,
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect (HTTP {}) not followed", self.status)?;
        if let Some(to) = &self.to {
            write!(f, " (to {to})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RedirectError {}

/// An answer body longer than the client's limit ([`crate::ClientBuilder::body_limit`]); reading
/// stopped as soon as the limit was passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLargeError {
    /// HTTP status of the answer.
    pub status: u16,
    /// The limit in bytes.
    pub limit: usize,
}

impl fmt::Display for TooLargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "answer body over the {} byte limit (HTTP {})",
            self.limit, self.status
        )
    }
}

impl std::error::Error for TooLargeError {}

/// A failure to renew OAuth tokens.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthError {
    /// The OAuth server refused (`invalid_grant`, `invalid_client`, …).
    Refused(ApiError),
    /// The OAuth server could not be reached, or did not answer in time.
    Transport(TransportError),
    /// The OAuth server's answer could not be decoded.
    Decode(DecodeError),
    /// The OAuth server answered with a redirect, which is never followed to another origin.
    Redirect(RedirectError),
    /// The OAuth server's answer was longer than the body limit.
    TooLarge(TooLargeError),
    /// A [`crate::oauth::Renewer`] failed for a reason of its own (a token registry that cannot
    /// be reached, a portal it knows needs reinstalling).
    Renewer(RenewerError),
}

impl AuthError {
    /// Whether no later refresh can succeed: the OAuth server refused the refresh token itself
    /// (a 4xx answer), or a renewer said so.
    pub fn is_permanent(&self) -> bool {
        match self {
            AuthError::Refused(a) => (400..500).contains(&a.status),
            AuthError::Renewer(r) => r.permanent,
            _ => false,
        }
    }
}

/// A failure of a [`crate::oauth::Renewer`] that is not an answer of the OAuth server. Its
/// reason never holds a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewerError {
    /// What went wrong, in words.
    pub reason: String,
    /// Whether retrying cannot help (the portal must be reinstalled, say).
    pub permanent: bool,
}

impl fmt::Display for RenewerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for RenewerError {}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthError::Refused(_) => "the OAuth server refused the token refresh",
            AuthError::Transport(_) => "the token refresh failed in transport",
            AuthError::Decode(_) => "the OAuth server's answer is undecodable",
            AuthError::Redirect(_) => "the OAuth server redirected the token refresh",
            AuthError::TooLarge(_) => "the OAuth server's answer is too large",
            AuthError::Renewer(_) => "the token renewer failed",
        })
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(match self {
            AuthError::Refused(e) => e,
            AuthError::Transport(e) => e,
            AuthError::Decode(e) => e,
            AuthError::Redirect(e) => e,
            AuthError::TooLarge(e) => e,
            AuthError::Renewer(e) => e,
        })
    }
}

/// The error of a call to method `M`, whose documented errors are `E`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// An error the method's page documents, as its typed variant.
    Method(E),
    /// A system error any method can return.
    System(SystemError),
    /// An error code that is documented neither for the method nor as a system error, verbatim.
    Api(ApiError),
    /// Refused before sending: a documented constraint or requirement is broken.
    Refused(Refusal),
    /// The server could not be reached, or the answer not read.
    Transport(TransportError),
    /// The answer could not be decoded; it keeps the raw body.
    Decode(DecodeError),
    /// OAuth tokens expired and could not be renewed.
    Auth(AuthError),
    /// The server answered with a redirect the client does not follow.
    Redirect(RedirectError),
    /// The answer body was longer than the client's limit.
    TooLarge(TooLargeError),
    /// A list walk (`Client::list`) could not go on: its pages stopped advancing.
    List(ListError),
}

impl<E: MethodError> Error<E> {
    /// Sorts an error answer into a documented, a system or an unknown error.
    pub fn from_api(e: ApiError) -> Self {
        match E::from_api(e) {
            Ok(m) => Error::Method(m),
            Err(e) => match SystemError::from_api(e) {
                Ok(s) => Error::System(s),
                Err(e) => Error::Api(e),
            },
        }
    }

    /// The server's error answer, when there was one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Method(m) => Some(m.api_error()),
            Error::System(s) => Some(s.api_error()),
            Error::Api(e) | Error::Auth(AuthError::Refused(e)) => Some(e),
            _ => None,
        }
    }

    /// The error code of the answer, when there was one.
    pub fn code(&self) -> Option<&str> {
        self.api_error().map(|e| e.code.as_str())
    }

    /// Whether repeating the same call later may succeed: a refusal before running
    /// ([`Error::is_refused_before_running`]) or a transient failure ([`Error::is_transient`]).
    pub fn is_retryable(&self) -> bool {
        self.is_refused_before_running() || self.is_transient()
    }

    /// The portal refused the call before running it, because of a limit: the request rate
    /// (`QUERY_LIMIT_EXCEEDED`) or the method's operating-time budget (`OPERATION_TIME_LIMIT`).
    /// Nothing was done, so repeating the call later is safe for reads and writes alike.
    pub fn is_refused_before_running(&self) -> bool {
        self.limit().is_some()
    }

    /// Which limit refused the call, when [`Error::is_refused_before_running`].
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            Error::System(SystemError::QueryLimitExceeded(_)) => Some(LimitKind::Rate),
            Error::System(SystemError::OperationTimeLimit(_)) => Some(LimitKind::OperatingTime),
            _ => None,
        }
    }

    /// A failure on the way or in the portal (transport, HTTP 5xx, internal server error) after
    /// which the call may or may not have run: repeating it is safe only for reads.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::System(
                SystemError::InternalServerError(_) | SystemError::ErrorUnexpectedAnswer(_),
            ) => true,
            Error::Decode(d) => d.status >= 500,
            Error::Api(e) => e.status >= 500,
            _ => false,
        }
    }

    /// Turns the typed error into one whose method part is erased to its [`ApiError`].
    pub fn erase(self) -> Error<ApiError> {
        match self {
            Error::Method(m) => Error::Api(m.api_error().clone()),
            Error::System(s) => Error::System(s),
            Error::Api(e) => Error::Api(e),
            Error::Refused(r) => Error::Refused(r),
            Error::Transport(t) => Error::Transport(t),
            Error::Decode(d) => Error::Decode(d),
            Error::Auth(a) => Error::Auth(a),
            Error::Redirect(r) => Error::Redirect(r),
            Error::TooLarge(t) => Error::TooLarge(t),
            Error::List(l) => Error::List(l),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Method(e) => write!(f, "{e}"),
            Error::System(e) => write!(f, "system error {e}"),
            Error::Api(e) => write!(f, "undocumented error {e}"),
            Error::Refused(r) => write!(f, "{r}"),
            // The rest name their kind; the details are their `source()`.
            Error::Transport(_) => f.write_str("the call failed in transport"),
            Error::Decode(_) => f.write_str("the answer could not be decoded"),
            Error::Auth(_) => f.write_str("the OAuth tokens could not be renewed"),
            Error::Redirect(_) => f.write_str("the server redirected the call"),
            Error::TooLarge(_) => f.write_str("the answer is too large"),
            Error::List(_) => f.write_str("the list walk stopped"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Decode(e) => Some(e),
            Error::Auth(e) => Some(e),
            Error::Redirect(e) => Some(e),
            Error::TooLarge(e) => Some(e),
            Error::List(e) => Some(e),
            Error::Method(_) | Error::System(_) | Error::Api(_) | Error::Refused(_) => None,
        }
    }
}

/// An error and its causes, joined by `: ` (for logs).
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The portal limit behind a refusal (see [`Error::limit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// The request-rate limit (leaky bucket): `QUERY_LIMIT_EXCEEDED`, HTTP 503.
    Rate,
    /// The method's operating-time budget: `OPERATION_TIME_LIMIT`, HTTP 429.
    OperatingTime,
}

impl Error<crate::NoMethodError> {
    /// A copy of this error typed for method errors `E`, for each call of a failed batch request.
    pub(crate) fn replicate<E: MethodError>(&self) -> Error<E> {
        match self {
            Error::Method(m) => match *m {},
            Error::System(s) => Error::from_api(s.api_error().clone()),
            Error::Api(e) => Error::from_api(e.clone()),
            Error::Refused(r) => Error::Refused(r.clone()),
            Error::Transport(t) => Error::Transport(t.clone()),
            Error::Decode(d) => Error::Decode(d.clone()),
            Error::Auth(a) => Error::Auth(a.clone()),
            Error::Redirect(r) => Error::Redirect(r.clone()),
            Error::TooLarge(t) => Error::TooLarge(t.clone()),
            Error::List(l) => Error::List(l.clone()),
        }
    }
}

/// Why a list walk stopped before the documented end: a cursor page that does not move the
/// cursor on would be asked for again and again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListError {
    /// The last item of a full page has no cursor value to ask for the next page with.
    NoCursor,
    /// The next cursor is the one just sent, or moves back against the walk's direction.
    Stuck {
        /// The cursor sent for the page.
        sent: i64,
        /// The cursor its last item gave.
        next: i64,
    },
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::NoCursor => {
                f.write_str("the last item of a full page has no value for the next cursor")
            }
            ListError::Stuck { sent, next } => write!(
                f,
                "the cursor did not advance: a page asked for with {sent} ends at {next}"
            ),
        }
    }
}

impl std::error::Error for ListError {}

/// A client could not be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_empty_code_is_shown_in_words() {
        let e = ApiError {
            code: String::new(),
            description: "Access denied.".into(),
            status: 400,
        };
        assert_eq!(e.to_string(), "(no code) (HTTP 400): Access denied.");
    }

    #[test]
    fn displays_are_short_and_causes_are_sources() {
        let refused = AuthError::Refused(ApiError {
            code: "invalid_grant".into(),
            description: "gone".into(),
            status: 400,
        });
        let e: Error<crate::NoMethodError> = Error::Auth(refused);
        assert_eq!(e.to_string(), "the OAuth tokens could not be renewed");
        assert_eq!(
            chain(&e),
            "the OAuth tokens could not be renewed: the OAuth server refused the token refresh: \
             invalid_grant (HTTP 400): gone"
        );
        let t = TransportError::timed_out("waited too long");
        let e: Error<crate::NoMethodError> = Error::Transport(t);
        let cause = e.source().and_then(|s| s.source()).map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("waited too long"));
        let e: Error<crate::NoMethodError> = Error::Redirect(RedirectError {
            status: 308,
            to: Some("https://elsewhere.example".into()),
        });
        assert_eq!(
            chain(&e),
            "the server redirected the call: redirect (HTTP 308) not followed (to \
             https://elsewhere.example)"
        );
        assert!(!e.is_retryable());
    }
}
