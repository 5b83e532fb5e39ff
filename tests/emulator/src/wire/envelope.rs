//! The JSON envelopes of REST answers and the `time` object.
//!
//! Success: `{"result": ..., "time": {...}}`; error:
//! `{"error": CODE, "error_description": MESSAGE}`; both sent as
//! `application/json; charset=utf-8`.

use std::time::{Duration, Instant, SystemTime};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::clock::{rfc3339, unix_f64, unix_secs};
use crate::errors::ApiError;
use crate::methods::Reply;
use crate::operating::Usage;

/// Content type of every JSON answer.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Seconds after the start of a request at which the (emulated) oldest
/// resource-accounting basket is released.
const OPERATING_WINDOW_SECS: i64 = 600;

/// Start of a request, for the `time` object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    wall: SystemTime,
    mono: Instant,
}

impl Timing {
    /// Marks the start now.
    pub(crate) fn begin() -> Self {
        Timing {
            wall: SystemTime::now(),
            mono: Instant::now(),
        }
    }

    fn span(&self) -> (f64, f64, f64, i64, i64) {
        let elapsed = self.mono.elapsed();
        let start = unix_f64(self.wall);
        let finish_wall = self.wall + elapsed;
        let finish = unix_f64(finish_wall);
        (
            start,
            finish,
            elapsed.as_secs_f64(),
            unix_secs(self.wall),
            unix_secs(finish_wall),
        )
    }

    /// The full `time` object of a top-level answer. `processing` is the time
    /// spent inside the method itself; `usage` the method's operating time
    /// (without a budget: none used, reset ten minutes after the start).
    pub(crate) fn time_object(&self, processing: Duration, usage: Option<Usage>) -> Value {
        let (start, finish, duration, s, f) = self.span();
        let (operating, reset_at) = match usage {
            Some(u) => (json!(u.operating), u.reset_at),
            None => (json!(0), s + OPERATING_WINDOW_SECS),
        };
        json!({
            "start": start,
            "finish": finish,
            "duration": duration,
            "processing": processing.as_secs_f64(),
            "date_start": rfc3339(s),
            "date_finish": rfc3339(f),
            "operating_reset_at": reset_at,
            "operating": operating
        })
    }

    /// The shorter `time` object used per command in a batch's `result_time`.
    pub(crate) fn command_time_object(&self) -> Value {
        let (start, finish, duration, s, f) = self.span();
        json!({
            "start": start,
            "finish": finish,
            "duration": duration,
            "processing": duration,
            "date_start": rfc3339(s),
            "date_finish": rfc3339(f)
        })
    }
}

/// A ready answer: status, content type and body bytes.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    /// `{"result", "total"?, "next"?, "time"}` with status 200.
    pub(crate) fn reply(reply: Reply, time: Value) -> Self {
        let mut body = json!({ "result": reply.result });
        if let Some(t) = reply.total {
            body["total"] = json!(t);
        }
        if let Some(n) = reply.next {
            body["next"] = json!(n);
        }
        body["time"] = time;
        Self::json(200, &body)
    }

    /// `{"error": .., "error_description": ..}` with the error's status.
    pub(crate) fn error(err: &ApiError) -> Self {
        Self::json(err.status, &error_json(err))
    }

    /// Any JSON value with the given status.
    pub(crate) fn json(status: u16, body: &Value) -> Self {
        Answer {
            status,
            content_type: JSON_UTF8,
            body: serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()),
        }
    }
}

/// The error object `{"error": .., "error_description": ..}`.
pub(crate) fn error_json(err: &ApiError) -> Value {
    json!({ "error": err.code, "error_description": err.message })
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut resp = (status, self.body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        resp
    }
}
