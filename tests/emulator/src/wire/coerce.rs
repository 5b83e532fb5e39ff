//! Lenient conversions of parameter values, the way the portal's PHP reads them.
//!
//! Parameters arrive as JSON values (any type) or as form/query strings; the
//! methods read them through these helpers so that a value of an unexpected
//! type becomes `0`/empty and leads to the documented error instead of a panic.

use serde_json::{Map, Value};

/// Reads a top-level parameter by name, ignoring the case of the key (the
/// portal upper-cases the keys of these methods before reading them).
pub(crate) fn param<'a>(params: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    params.get(name).or_else(|| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Like [`param`], but a JSON `null` counts as absent (PHP's `isset`).
pub(crate) fn given<'a>(params: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    param(params, name).filter(|v| !v.is_null())
}

/// PHP `intval`: numbers are truncated, strings give their leading integer
/// (`"12abc"` is 12, `"abc"` is 0), booleans are 0/1, anything else is 0.
pub(crate) fn intval(v: &Value) -> i64 {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i
            } else if let Some(f) = n.as_f64() {
                if f.is_finite() {
                    f.trunc() as i64
                } else {
                    0
                }
            } else {
                0
            }
        }
        Value::String(s) => leading_int(s),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

fn leading_int(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// A scalar value as text (`true` → `"1"`, `false`/`null` → `""`); arrays and
/// objects give `None`.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("1".to_owned()),
        Value::Bool(false) | Value::Null => Some(String::new()),
        _ => None,
    }
}

/// PHP `empty()`: null, `false`, `0`, `"0"`, `""`, and empty arrays/objects.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s == "0",
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// A truthy flag: `true`, non-zero numbers, `"1"`, `"Y"`, `"true"`.
pub(crate) fn flag(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => {
            matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "1" | "y" | "true" | "yes"
            )
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intval_is_lenient() {
        assert_eq!(intval(&json!(12)), 12);
        assert_eq!(intval(&json!("12abc")), 12);
        assert_eq!(intval(&json!(" -3")), -3);
        assert_eq!(intval(&json!("abc")), 0);
        assert_eq!(intval(&json!(7.9)), 7);
        assert_eq!(intval(&json!([1])), 0);
        assert_eq!(intval(&json!({"a": 1})), 0);
        assert_eq!(intval(&json!(null)), 0);
        assert_eq!(intval(&json!("99999999999999999999999")), i64::MAX);
    }

    #[test]
    fn empty_like_php() {
        assert!(is_empty(&json!("0")));
        assert!(is_empty(&json!("")));
        assert!(!is_empty(&json!("a")));
        assert!(is_empty(&json!(0)));
    }
}
