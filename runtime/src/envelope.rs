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
    /// `Some` whenever the key is there, `null` included (a result that may be nothing).
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<serde_json::Value>,
    #[serde(borrow, default)]
    time: Option<&'a RawValue>,
    #[serde(borrow, default)]
    total: Option<&'a RawValue>,
    #[serde(borrow, default)]
    next: Option<&'a RawValue>,
}

/// Reads a value that is there, `null` included, as `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
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

/// Reads a side field (`time`, `total`, `next`) of a good answer: a broken one is dropped with
/// a warning, as it must not cost the caller the result.
fn side<T: Lenient>(name: &'static str, raw: Option<&RawValue>) -> Option<T> {
    let raw = raw?;
    match Option::<T>::lenient(&mut serde_json::Deserializer::from_str(raw.get())) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(field = name, error = %e, "ignoring a malformed field of the answer");
            None
        }
    }
}

/// A count (`total`, `next`): a non-negative integer, else dropped with a warning.
fn count(name: &'static str, raw: Option<&RawValue>) -> Option<u64> {
    let v: i64 = side(name, raw)?;
    match u64::try_from(v) {
        Ok(n) => Some(n),
        Err(_) => {
            tracing::warn!(
                field = name,
                value = v,
                "ignoring a negative count in the answer"
            );
            None
        }
    }
}

/// Decodes an answer body of any status.
pub(crate) fn decode<T: Lenient>(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Decoded<T>, DecodeError> {
    let fail =
        |reason: String| DecodeError::new(status, content_type.map(str::to_owned), reason, body);
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
        time: side::<Time>("time", raw.time),
        total: count("total", raw.total),
        next: count("next", raw.next),
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
    fn only_the_start_of_a_long_bad_body_is_kept() {
        let mut page = b"<html>".to_vec();
        page.resize(1024 * 1024, b'x');
        let e = decode::<bool>(500, Some("text/html"), &page).err().unwrap();
        assert!(e.cut);
        assert_eq!(e.body_len, page.len());
        assert_eq!(e.body.len(), crate::error::DECODE_BODY_KEPT);
        assert!(e.to_string().contains("64 KiB kept"), "{e}");
        let e = decode::<bool>(500, None, b"<html>short</html>")
            .err()
            .unwrap();
        assert!(!e.cut && e.body == "<html>short</html>");
    }

    fn ok<T: Lenient>(body: &str) -> Response<T> {
        match decode::<T>(200, None, body.as_bytes()) {
            Ok(Decoded::Ok(r)) => r,
            Ok(Decoded::Api(e)) => panic!("an error: {e}"),
            Err(e) => panic!("undecodable: {e}"),
        }
    }

    #[test]
    fn a_null_result_is_decoded_into_the_result_type() {
        assert_eq!(ok::<Option<bool>>(r#"{"result":null}"#).result, None);
        assert_eq!(
            ok::<Option<i64>>(r#"{"result":null,"time":{"start":1}}"#).result,
            None
        );
        let e = decode::<bool>(200, None, br#"{"result":null}"#)
            .err()
            .unwrap();
        assert!(e.reason.contains("documented shape"), "{}", e.reason);
        let e = decode::<Option<bool>>(200, None, br#"{"time":{}}"#)
            .err()
            .unwrap();
        assert!(e.reason.contains("neither"), "{}", e.reason);
    }

    #[test]
    fn broken_side_fields_are_dropped_and_the_result_kept() {
        for body in [
            r#"{"result":true,"total":"many","next":{"a":1},"time":"soon"}"#,
            r#"{"result":true,"total":-3,"next":99999999999999999999999,"time":[1,2]}"#,
            r#"{"result":true,"total":1e400,"next":-1,"time":{"start":"x"}}"#,
        ] {
            let r = ok::<bool>(body);
            assert!(r.result, "{body}");
            assert_eq!((r.total, r.next, r.time), (None, None, None), "{body}");
        }
        let r = ok::<bool>(r#"{"result":true,"total":null,"next":"","time":null}"#);
        assert_eq!((r.total, r.next, r.time), (None, None, None));
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
