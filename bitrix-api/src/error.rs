//! Errors of a call: one type, generic over the method's documented error enum.

use crate::method::MethodError;
use crate::SystemError;
use std::fmt;

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
        write!(f, "{} (HTTP {})", self.code, self.status)?;
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

/// An answer that could not be decoded: an HTML error page, a truncated body, a wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub status: u16,
    /// Its `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// What went wrong.
    pub reason: String,
    /// The body, as received (lossy UTF-8).
    pub body: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecodable answer (HTTP {}", self.status)?;
        if let Some(ct) = &self.content_type {
            write!(f, ", {ct}")?;
        }
        write!(f, ", {} bytes): {}", self.body.len(), self.reason)
    }
}

/// A failure to reach the server or to read its answer. Never holds the URL (it may carry secrets).
#[derive(Debug)]
pub struct TransportError {
    /// Whether the failure was a timeout.
    pub timeout: bool,
    /// Whether the connection could not be made.
    pub connect: bool,
    pub(crate) source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        TransportError {
            timeout: e.is_timeout(),
            connect: e.is_connect(),
            source: Box::new(e.without_url()),
        }
    }
}

/// An answer as read off the wire: status, content type and body.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: bytes::Bytes,
}

impl RawAnswer {
    /// Sends the request and reads the whole answer.
    pub(crate) async fn fetch(req: reqwest::RequestBuilder) -> Result<Self, TransportError> {
        let resp = req.send().await.map_err(TransportError::from_reqwest)?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.bytes().await.map_err(TransportError::from_reqwest)?;
        Ok(RawAnswer {
            status,
            content_type,
            body,
        })
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.timeout {
            "timed out"
        } else if self.connect {
            "could not connect"
        } else {
            "transport failure"
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A failure to renew OAuth tokens.
#[derive(Debug)]
pub enum AuthError {
    /// The OAuth server refused (`invalid_grant`, `invalid_client`, …).
    Refused(ApiError),
    /// The OAuth server could not be reached.
    Transport(TransportError),
    /// The OAuth server's answer could not be decoded.
    Decode(DecodeError),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Refused(e) => write!(f, "token refresh refused: {e}"),
            AuthError::Transport(e) => write!(f, "token refresh failed: {e}"),
            AuthError::Decode(e) => write!(f, "token refresh answer: {e}"),
        }
    }
}

impl std::error::Error for AuthError {}

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
            Error::Transport(t) => write!(f, "{t}"),
            Error::Decode(d) => write!(f, "{d}"),
            Error::Auth(a) => write!(f, "{a}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {}

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
            Error::Transport(t) => Error::Transport(TransportError {
                timeout: t.timeout,
                connect: t.connect,
                source: t.source.to_string().into(),
            }),
            Error::Decode(d) => Error::Decode(d.clone()),
            Error::Auth(AuthError::Refused(e)) => Error::Auth(AuthError::Refused(e.clone())),
            Error::Auth(AuthError::Decode(d)) => Error::Auth(AuthError::Decode(d.clone())),
            Error::Auth(AuthError::Transport(t)) => {
                Error::Auth(AuthError::Transport(TransportError {
                    timeout: t.timeout,
                    connect: t.connect,
                    source: t.source.to_string().into(),
                }))
            }
        }
    }
}

/// A client could not be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}
