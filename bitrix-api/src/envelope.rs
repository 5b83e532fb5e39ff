//! The response envelope: `{result, time, total, next}` or `{error, error_description}`.

use crate::__private::Lenient;
use crate::error::{ApiError, DecodeError};
use crate::types::Time;
use serde::Deserialize;
use serde_json::value::RawValue;

/// A successful answer: the typed result with what the server sent beside it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The method's result.
    pub result: T,
    /// Timing of the call, with the method's resource use (`operating`, `operating_reset_at`).
    pub time: Option<Time>,
    /// For list methods: how many items there are in all.
    pub total: Option<u64>,
    /// For list methods: the `start` of the next page, when there is one.
    pub next: Option<u64>,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    time: Option<Time>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    total: Option<i64>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    next: Option<i64>,
}

/// What an answer turned out to be.
pub(crate) enum Decoded<T> {
    Ok(Response<T>),
    Api(ApiError),
}

fn text(v: Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Decodes an answer body of any status.
pub(crate) fn decode<T: Lenient>(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Decoded<T>, DecodeError> {
    let fail = |reason: String| DecodeError {
        status,
        content_type: content_type.map(str::to_owned),
        reason,
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let raw: Raw<'_> = serde_json::from_slice(body).map_err(|e| {
        if body.trim_ascii_start().starts_with(b"<") {
            fail(format!("expected JSON, got an HTML page ({e})"))
        } else if e.is_eof() {
            fail(format!("the JSON body is truncated ({e})"))
        } else {
            fail(format!("the body is not a Bitrix24 answer ({e})"))
        }
    })?;
    if let Some(code) = raw.error {
        return Ok(Decoded::Api(ApiError {
            code: text(Some(code)),
            description: text(raw.error_description),
            status,
        }));
    }
    let Some(result) = raw.result else {
        return Err(fail("the answer has neither result nor error".into()));
    };
    if !(200..300).contains(&status) {
        return Err(fail(format!("a result came with HTTP status {status}")));
    }
    let result = T::lenient(&mut serde_json::Deserializer::from_str(result.get()))
        .map_err(|e| fail(format!("result does not match the documented shape: {e}")))?;
    Ok(Decoded::Ok(Response {
        result,
        time: raw.time,
        total: raw.total.and_then(|v| u64::try_from(v).ok()),
        next: raw.next.and_then(|v| u64::try_from(v).ok()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_truncated_bodies_are_errors_with_the_raw_text() {
        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        let e = decode::<bool>(502, Some("text/html"), html).err().unwrap();
        assert!(e.reason.contains("HTML"), "{}", e.reason);
        assert_eq!(e.body.as_bytes(), html);
        let e = decode::<bool>(200, None, b"{\"result\": tr").err().unwrap();
        assert!(e.reason.contains("truncated"), "{}", e.reason);
    }

    #[test]
    fn error_and_result_envelopes() {
        let b = br#"{"error":"CHAT_ID_EMPTY","error_description":"Chat ID can't be empty"}"#;
        match decode::<bool>(400, None, b).ok().unwrap() {
            Decoded::Api(e) => assert_eq!((e.code.as_str(), e.status), ("CHAT_ID_EMPTY", 400)),
            Decoded::Ok(_) => panic!("expected an error"),
        }
        let b = br#"{"result":"Y","time":{"start":1,"operating":0.5,"operating_reset_at":17},"total":"3","next":2}"#;
        match decode::<bool>(200, None, b).ok().unwrap() {
            Decoded::Ok(r) => {
                assert!(r.result);
                assert_eq!((r.total, r.next), (Some(3), Some(2)));
                assert_eq!(r.time.unwrap().operating_reset_at, Some(17));
            }
            Decoded::Api(_) => panic!("expected a result"),
        }
    }
}
