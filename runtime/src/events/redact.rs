//! Keeping secrets out of what prints: which keys name secrets, redacted JSON, and secret
//! values taken out of error messages.

use super::de::PayloadError;
use super::tree::FormValue;

/// Whether a key names a credential: its value never prints (`Debug`, redacted JSON).
///
/// Any key holding `token`, `secret` or `password` (in any case), and `client_id`.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("token") || k.contains("secret") || k.contains("password") || k == "client_id"
}

/// A payload error's message; when the bad value sits under a secret-named key, without it.
pub(crate) fn form_message(e: PayloadError) -> String {
    if e.path.last().is_some_and(|k| is_secret_key(k)) {
        PayloadError {
            path: e.path,
            message: "the value is not of the expected type (withheld: it is a secret)".into(),
        }
        .to_string()
    } else {
        e.to_string()
    }
}

/// Collects the string values under secret-named keys of a form tree.
pub(crate) fn form_secrets<'a>(v: &'a FormValue, secret: bool, out: &mut Vec<&'a str>) {
    match v {
        FormValue::Str(s) if secret => out.push(s),
        FormValue::Str(_) => {}
        FormValue::Map(m) => {
            for (k, v) in m.iter() {
                form_secrets(v, secret || is_secret_key(k), out);
            }
        }
    }
}

/// Collects the string values under secret-named keys of JSON.
pub(crate) fn json_secrets<'a>(v: &'a serde_json::Value, secret: bool, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) if secret => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_secrets(v, secret, out)),
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                json_secrets(v, secret || is_secret_key(k), out);
            }
        }
        _ => {}
    }
}

/// JSON with the values of secret-named keys replaced by `"<redacted>"`.
pub(crate) fn redact_json(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Array(a) => a.iter().map(redact_json).collect(),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_key(k) {
                    serde_json::Value::String("<redacted>".into())
                } else {
                    redact_json(v)
                };
                (k.clone(), v)
            })
            .collect(),
        other => other.clone(),
    }
}

/// Replaces every secret (of at least 4 characters) found in `message`.
pub(crate) fn withhold(mut message: String, secrets: &[&str]) -> String {
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        if message.contains(s) {
            message = message.replace(s, "<redacted>");
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_and_withheld_values() {
        for k in [
            "access_token",
            "AUTH_TOKEN",
            "botToken",
            "client_secret",
            "PASSWORD",
            "client_id",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["ID", "domain", "CLIENT_ENDPOINT", "member_id", "BOT_CODE"] {
            assert!(!is_secret_key(k), "{k}");
        }
        let m = withhold(
            "found \"abcd1234\" and \"xyz\"".into(),
            &["abcd1234", "xyz"],
        );
        assert_eq!(
            m, "found \"<redacted>\" and \"xyz\"",
            "short values are too common to replace"
        );
        let json = serde_json::json!({"a": [{"refresh_token": "r1"}], "b": "keep"});
        assert_eq!(
            redact_json(&json),
            serde_json::json!({"a": [{"refresh_token": "<redacted>"}], "b": "keep"})
        );
    }
}
