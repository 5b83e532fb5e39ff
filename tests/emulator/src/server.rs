//! The HTTP side: routes, and the pipeline of one REST request
//! (parameters → credentials → injected fault → authentication → rate limit
//! → method → envelope → request log).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::Value;

use crate::auth::{authenticate, Credentials};
use crate::errors::{self, ApiError};
use crate::faults::{self, normalize_method, Fault};
use crate::log::LoggedRequest;
use crate::methods::{self, Call};
use crate::shared::{lock, Shared};
use crate::wire::coerce::text;
use crate::wire::envelope::{Answer, Timing};
use crate::wire::params::{parse_body, parse_urlencoded, Params};
use crate::{control, oauth};

/// All routes of the emulated portal.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/token", any(oauth::token))
        .route("/oauth/token/", any(oauth::token))
        .route(
            "/_emulator/fault",
            post(control::add_fault).delete(control::clear_faults),
        )
        .route("/_emulator/app_has_bot", post(control::app_has_bot))
        .route("/_emulator/expire_tokens", post(control::expire_tokens))
        .route("/_emulator/tokens", post(control::issue_tokens))
        .route("/_emulator/info", get(control::info))
        .route("/_emulator/install", post(control::install))
        .route("/_emulator/uninstall", post(control::uninstall))
        .route("/_emulator/authorize", post(control::authorize))
        .route(
            "/_emulator/customer_message",
            post(control::customer_message),
        )
        .route("/_emulator/deliveries", get(control::deliveries))
        .route(
            "/_emulator/limits",
            get(control::limits).delete(control::reset_limits),
        )
        .route(
            "/_emulator/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .fallback(any(fallback))
        .with_state(shared)
}

async fn fallback(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if path == "/rest" || path.starts_with("/rest/") {
        rest(&shared, method, &uri, &headers, &body).await
    } else {
        (StatusCode::NOT_FOUND, "Not Found").into_response()
    }
}

/// Where the credentials of a REST path come from.
fn split_path(path: &str) -> (Option<(String, String)>, String) {
    let segs: Vec<&str> = path
        .trim_start_matches("/rest")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        [method] => (None, (*method).to_owned()),
        [user, code, method] => (
            Some(((*user).to_owned(), (*code).to_owned())),
            (*method).to_owned(),
        ),
        // A webhook URL without a method.
        [user, code] => (
            Some(((*user).to_owned(), (*code).to_owned())),
            String::new(),
        ),
        // No method, or a path of another shape: there is no such method.
        _ => (None, String::new()),
    }
}

async fn rest(
    shared: &Shared,
    http_method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let timing = Timing::begin();
    let mut params = Params::default();
    if let Some(q) = uri.query() {
        parse_urlencoded(q.as_bytes(), &mut params);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    parse_body(content_type, body, &mut params);
    let auth_param = params.map.remove("auth");
    let sessid = params.map.remove("sessid");

    let (webhook, raw_method) = split_path(uri.path());
    let method = normalize_method(&raw_method);
    let creds = match webhook {
        Some((user, code)) => Credentials::Webhook { user, code },
        None => match auth_param.as_ref().and_then(text) {
            Some(token) if !token.is_empty() => Credentials::Token(token),
            _ if auth_param.as_ref().is_some_and(|v| !v.is_null()) => {
                // An `auth` that is not a scalar can match no token.
                Credentials::Token(String::new())
            }
            _ if sessid
                .as_ref()
                .and_then(text)
                .is_some_and(|s| !s.is_empty()) =>
            {
                Credentials::Session
            }
            _ => Credentials::None,
        },
    };

    let fault = lock(&shared.faults).take(&method);
    let mut entry = LoggedRequest {
        method: method.clone(),
        http_method: http_method.to_string(),
        auth: creds.kind(),
        user_id: None,
        params: Value::Object(params.map.clone()),
        status: 0,
        error: None,
        fault: fault.clone(),
    };

    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Html502) => {
            entry.status = 502;
            lock(&shared.log).push(entry);
            return html_502();
        }
        Some(Fault::Error {
            status,
            code,
            message,
        }) => {
            let err = ApiError {
                status,
                code: code.into(),
                message: message.into(),
            };
            entry.status = status;
            entry.error = Some(err.code.to_string());
            lock(&shared.log).push(entry);
            return Answer::error(&err).into_response();
        }
        Some(Fault::ResultError { code, message }) => {
            entry.status = 200;
            entry.error = Some(code.clone());
            lock(&shared.log).push(entry);
            let result = crate::methods::generic::result_error(&method, code, message);
            let time = timing.time_object(std::time::Duration::ZERO, None);
            return Answer::reply(result.into(), time).into_response();
        }
        Some(Fault::Truncated) | None => {}
    }
    let truncate = fault == Some(Fault::Truncated);

    let (mut answer, user_id, error) = process(shared, &creds, &method, &params, timing);
    if truncate {
        answer.status = 200;
        answer.body = faults::truncate(&answer.body);
    }
    entry.user_id = user_id;
    entry.status = answer.status;
    entry.error = error.map(|e| e.code.into_owned());
    lock(&shared.log).push(entry);
    answer.into_response()
}

/// Authenticates, applies the rate limit and runs the method.
fn process(
    shared: &Shared,
    creds: &Credentials,
    method: &str,
    params: &Params,
    timing: Timing,
) -> (Answer, Option<i64>, Option<ApiError>) {
    let caller = {
        let tokens = lock(&shared.tokens);
        authenticate(
            creds,
            &shared.config.webhook_code,
            &shared.member_id,
            &tokens,
        )
    };
    let caller = match caller {
        Ok(c) => c,
        Err(e) => return (Answer::error(&e), None, Some(e)),
    };
    let admitted = match lock(&shared.rate).as_mut() {
        None => true,
        Some(bucket) => bucket.admit(),
    };
    if !admitted {
        shared.rate_refusals.fetch_add(1, Ordering::SeqCst);
        let e = errors::QUERY_LIMIT_EXCEEDED;
        return (Answer::error(&e), Some(caller.user_id), Some(e));
    }
    let started = Instant::now();
    let call = Call {
        shared,
        caller,
        params,
    };
    let (reply, usage) = if method == "batch" {
        (methods::dispatch(method, &call), None)
    } else {
        methods::run_metered(method, &call)
    };
    match reply {
        Ok(reply) => (
            Answer::reply(reply, timing.time_object(started.elapsed(), usage)),
            Some(caller.user_id),
            None,
        ),
        Err(e) => (Answer::error(&e), Some(caller.user_id), Some(e)),
    }
}

fn html_502() -> Response {
    let mut resp = (StatusCode::BAD_GATEWAY, faults::HTML_502).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    h.insert(header::SERVER, HeaderValue::from_static("nginx"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(split_path("/rest/batch"), (None, "batch".into()));
        assert_eq!(
            split_path("/rest/1/abc/imopenlines.dialog.get.json"),
            (
                Some(("1".into(), "abc".into())),
                "imopenlines.dialog.get.json".into()
            )
        );
        assert_eq!(split_path("/rest/"), (None, String::new()));
        assert_eq!(
            split_path("/rest/1/abc/"),
            (Some(("1".into(), "abc".into())), String::new())
        );
        assert_eq!(split_path("/rest/a/b/c/d"), (None, String::new()));
    }
}
