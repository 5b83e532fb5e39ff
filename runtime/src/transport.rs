//! The HTTP layer shared by calls and token refreshes: the redirect policy, the body limit, and
//! reading an answer chunk by chunk.

use crate::error::{AuthError, Error, RedirectError, TooLargeError, TransportError};
use std::time::Duration;

/// The default limit of an answer body: 32 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Most redirects followed in one call under [`RedirectPolicy::SameOrigin`].
const MAX_REDIRECTS: usize = 5;

/// Which redirects a client follows. A 3xx answer that is not followed is [`Error::Redirect`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// Follow none (the default). A portal never redirects its REST API; a redirect would
    /// re-send the call, with its credentials, to wherever it points.
    #[default]
    None,
    /// Follow up to 5 redirects that keep the scheme, host and port of the request (so never
    /// https to http, never to another host). 301/302/303 turn the call into a `GET` without
    /// its params, as browsers do; only 307/308 repeat it unchanged.
    SameOrigin,
}

/// What sends requests: the HTTP client with its settings.
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) body_limit: usize,
}

/// TLS for every request: rustls on the ring provider, certificates checked by the platform's
/// verifier (the system's roots). Built here rather than left to reqwest, whose own choice
/// (aws-lc-rs) compiles a C library on every user's machine, or whose `rustls-no-provider`
/// build needs a process-wide default provider; this one touches no global state.
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

/// Settings of [`Http::new`].
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) redirects: RedirectPolicy,
    pub(crate) body_limit: usize,
    /// Refuse every plain-http request (set for https portals).
    pub(crate) https_only: bool,
}

impl Http {
    /// The HTTP client: no `Referer` ever, the given redirect policy, https only when asked.
    /// The error is a short text without the URL.
    pub(crate) fn new(s: &HttpSettings) -> Result<Self, String> {
        let tls = tls_config().map_err(|e| format!("cannot set up TLS: {e}"))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(s.connect_timeout)
            .timeout(s.timeout)
            .user_agent(concat!("bitrix-api/", env!("CARGO_PKG_VERSION"), " (Rust)"))
            .referer(false)
            .https_only(s.https_only)
            .redirect(redirect_policy(s.redirects))
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Http {
            client,
            body_limit: s.body_limit,
        })
    }

    /// Sends a request and reads its answer, at most `body_limit` bytes of it.
    pub(crate) async fn fetch(&self, req: reqwest::RequestBuilder) -> Result<RawAnswer, Failure> {
        let mut resp = req.send().await.map_err(TransportError::from_reqwest)?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            return Err(Failure::Redirect(RedirectError {
                status,
                to: location_origin(&resp),
            }));
        }
        let too_large = || {
            Failure::TooLarge(TooLargeError {
                status,
                limit: self.body_limit,
            })
        };
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > self.body_limit as u64) {
            return Err(too_large());
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let start = announced.map_or(8 * 1024, |n| n as usize);
        let mut body = Vec::with_capacity(start.min(self.body_limit).min(1024 * 1024));
        while let Some(chunk) = resp.chunk().await.map_err(TransportError::from_reqwest)? {
            if chunk.len() > self.body_limit - body.len() {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawAnswer {
            status,
            content_type,
            body,
        })
    }
}

/// An answer as read off the wire: status, content type and body.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Why [`Http::fetch`] returned no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    Transport(TransportError),
    Redirect(RedirectError),
    TooLarge(TooLargeError),
}

impl From<TransportError> for Failure {
    fn from(e: TransportError) -> Self {
        Failure::Transport(e)
    }
}

impl<E> From<Failure> for Error<E> {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Transport(e) => Error::Transport(e),
            Failure::Redirect(e) => Error::Redirect(e),
            Failure::TooLarge(e) => Error::TooLarge(e),
        }
    }
}

impl From<Failure> for AuthError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Transport(e) => AuthError::Transport(e),
            Failure::Redirect(e) => AuthError::Redirect(e),
            Failure::TooLarge(e) => AuthError::TooLarge(e),
        }
    }
}

/// The origin a redirect points at (never its path or query, which may echo secrets).
fn location_origin(resp: &reqwest::Response) -> Option<String> {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    let target = resp.url().join(location).ok()?;
    target.host()?;
    Some(target.origin().ascii_serialization())
}

fn redirect_policy(p: RedirectPolicy) -> reqwest::redirect::Policy {
    match p {
        RedirectPolicy::None => reqwest::redirect::Policy::none(),
        RedirectPolicy::SameOrigin => reqwest::redirect::Policy::custom(|attempt| {
            let allowed = match attempt.previous().first() {
                Some(first) => {
                    attempt.previous().len() <= MAX_REDIRECTS && same_origin(first, attempt.url())
                }
                None => false,
            };
            if allowed {
                attempt.follow()
            } else {
                // The 3xx answer is returned as is and becomes `Error::Redirect`.
                attempt.stop()
            }
        }),
    }
}

/// Whether two URLs share scheme, host and port.
fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn only_the_same_scheme_host_and_port_are_the_same_origin() {
        let portal = u("https://p.bitrix24.com/rest/1/x/a.b");
        assert!(same_origin(
            &portal,
            &u("https://p.bitrix24.com:443/rest/other")
        ));
        assert!(!same_origin(
            &portal,
            &u("http://p.bitrix24.com/rest/1/x/a.b")
        ));
        assert!(!same_origin(
            &portal,
            &u("https://evil.example/rest/1/x/a.b")
        ));
        assert!(!same_origin(
            &portal,
            &u("https://p.bitrix24.com:8443/rest/")
        ));
        assert!(!same_origin(
            &portal,
            &u("https://p.bitrix24.com.evil.example/")
        ));
    }
}
