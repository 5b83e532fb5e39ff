//! An encoder that writes JSON the way PHP's `http_build_query` writes the array
//! `json_decode($json, true)` gives (PHP 8.2, default ini), which is how a portal delivers
//! events to a handler:
//!
//! - entries in order; a nested key is `parent[key]` with the brackets percent-encoded;
//!   list items are keyed by their index;
//! - strings are `urlencode`d (RFC 1738: letters, digits and `-_.` stay, a space is `+`, every
//!   other byte `%XX`), or `rawurlencode`d in [`Spaces::Percent`] mode (RFC 3986: `~` stays
//!   too, a space is `%20`); keys likewise;
//! - integers in decimal; `true` is `1`, `false` is `0`; floats as PHP prints them with
//!   `precision = 14` (`1.5`, `3`, `1.0E+20`); integers beyond `i64` are floats, as
//!   `json_decode` makes them;
//! - `null` is left out, and so is an empty array or object (nothing to write for it);
//! - fields joined with `&`.
//!
//! Checked against `php -r 'echo http_build_query(json_decode(file_get_contents("php://stdin"), true));'`
//! (see `tests/fixtures/events/http_build_query.php`).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// How spaces (and `~`) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spaces {
    /// `PHP_QUERY_RFC1738`, the default: `urlencode`, a space is `+`.
    Plus,
    /// `PHP_QUERY_RFC3986`: `rawurlencode`, a space is `%20`.
    Percent,
}

/// A value of `json_decode($json, true)`: objects and lists become PHP arrays, which keep
/// their keys in document order (a repeated key replaces the value in its first place).
#[derive(Debug, Clone, PartialEq)]
pub enum PhpValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer within `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// An array: lists are keyed `0..n-1`.
    Array(Vec<(String, PhpValue)>),
}

impl PhpValue {
    /// `json_decode($json, true)`.
    pub fn from_json(json: &str) -> Result<PhpValue, serde_json::Error> {
        serde_json::from_str(json)
    }
}

impl<'de> Deserialize<'de> for PhpValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PhpValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<PhpValue, E> {
                Ok(PhpValue::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<PhpValue, E> {
                Ok(PhpValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<PhpValue, E> {
                Ok(PhpValue::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<PhpValue, E> {
                Ok(i64::try_from(v).map_or(PhpValue::Float(v as f64), PhpValue::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<PhpValue, E> {
                Ok(PhpValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<PhpValue, E> {
                Ok(PhpValue::Str(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PhpValue, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push((out.len().to_string(), v));
                }
                Ok(PhpValue::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PhpValue, A::Error> {
                let mut out: Vec<(String, PhpValue)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, PhpValue>()? {
                    match out.iter_mut().find(|(have, _)| *have == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(PhpValue::Array(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `http_build_query(json_decode(json, true))` in the default (RFC 1738) mode.
pub fn http_build_query(json: &str) -> Result<String, serde_json::Error> {
    http_build_query_with(json, Spaces::Plus)
}

/// `http_build_query` with the given encoding of spaces.
pub fn http_build_query_with(json: &str, spaces: Spaces) -> Result<String, serde_json::Error> {
    Ok(build(&PhpValue::from_json(json)?, spaces))
}

/// `http_build_query` of a JSON value in the default (RFC 1738) mode: the form body a portal
/// POSTs for it (a scalar gives nothing).
pub fn form_body(value: &serde_json::Value) -> String {
    http_build_query(&value.to_string()).unwrap_or_default()
}

/// `http_build_query` of a decoded value (a scalar gives nothing).
pub fn build(value: &PhpValue, spaces: Spaces) -> String {
    let mut fields = Vec::new();
    if let PhpValue::Array(entries) = value {
        for (k, v) in entries {
            write(&encode(k, spaces), v, spaces, &mut fields);
        }
    }
    fields.join("&")
}

fn write(name: &str, v: &PhpValue, spaces: Spaces, out: &mut Vec<String>) {
    match v {
        PhpValue::Null => {}
        PhpValue::Bool(b) => out.push(format!("{name}={}", u8::from(*b))),
        PhpValue::Int(i) => out.push(format!("{name}={i}")),
        PhpValue::Float(f) => out.push(format!("{name}={}", encode(&php_float(*f), spaces))),
        PhpValue::Str(s) => out.push(format!("{name}={}", encode(s, spaces))),
        PhpValue::Array(entries) => {
            for (k, v) in entries {
                write(
                    &format!("{name}%5B{}%5D", encode(k, spaces)),
                    v,
                    spaces,
                    out,
                );
            }
        }
    }
}

/// `urlencode` / `rawurlencode`.
pub fn encode(s: &str, spaces: Spaces) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b'~' if spaces == Spaces::Percent => out.push('~'),
            b' ' if spaces == Spaces::Plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A float as PHP writes it with `precision = 14` (`zend_gcvt`).
pub fn php_float(v: f64) -> String {
    if v.is_nan() {
        return "NAN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "INF" } else { "-INF" }.into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v == 0.0 {
        return format!("{sign}0");
    }
    // 14 significant digits, then the digits without trailing zeros and the point's place.
    let sci = format!("{:.13e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let decpt = exp + 1;
    let body = if !(-3..=14).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let e = decpt - 1;
        format!(
            "{first}.{rest}E{}{}",
            if e < 0 { '-' } else { '+' },
            e.abs()
        )
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat(decpt.unsigned_abs() as usize))
    } else {
        let d = decpt as usize;
        if digits.len() <= d {
            format!("{digits}{}", "0".repeat(d - digits.len()))
        } else {
            format!("{}.{}", &digits[..d], &digits[d..])
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of PHP 8.2 for these inputs:
    /// `php -r 'echo http_build_query(json_decode($argv[1], true));' JSON`.
    #[test]
    fn follows_php() {
        let v = r#"{"z": 1, "a": null, "b": [], "c": {}, "d": true, "e": false, "f": 1.5,
            "g": 1.0, "h": 0.1, "i": 1e20, "k": "x y~*", "l": [1, [2, {}]], "m n": {"5": "v"},
            "o": 12345678901234567890, "p": 1e-7, "z": 2}"#;
        assert_eq!(
            http_build_query(v).unwrap(),
            "z=2&d=1&e=0&f=1.5&g=1&h=0.1&i=1.0E%2B20&k=x+y%7E%2A&l%5B0%5D=1&l%5B1%5D%5B0%5D=2\
             &m+n%5B5%5D=v&o=1.2345678901235E%2B19&p=1.0E-7"
        );
        assert_eq!(
            http_build_query_with(r#"{"a b": "x y~"}"#, Spaces::Percent).unwrap(),
            "a%20b=x%20y~"
        );
    }

    #[test]
    fn floats_like_zend_gcvt() {
        let cases = [
            (0.001, "0.001"),
            (0.0001, "0.0001"),
            (0.00001, "1.0E-5"),
            (1e14, "1.0E+14"),
            (1e15, "1.0E+15"),
            (123456789012345.0, "1.2345678901234E+14"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (-1.25, "-1.25"),
            (1e300, "1.0E+300"),
            (3.0, "3"),
            (-0.0, "-0"),
        ];
        for (v, want) in cases {
            assert_eq!(php_float(v), want, "{v}");
        }
    }
}
