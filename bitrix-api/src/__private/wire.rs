//! Wire forms of sent values: booleans as `Y`/`N` or `1`/`0`, string enumerations.

use serde::Serializer;

/// A param's value as sent, as text (`None` when unset or not a scalar).
pub fn wire_value<T: serde::Serialize + ?Sized>(v: &T) -> Option<String> {
    match serde_json::to_value(v).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sends a boolean as `Y` / `N`.
pub fn ser_yn<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *v { "Y" } else { "N" })
}

/// Sends an optional boolean as `Y` / `N`.
pub fn ser_opt_yn<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => ser_yn(b, s),
        None => s.serialize_none(),
    }
}

/// Sends a boolean as `1` / `0`.
pub fn ser_int<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*v))
}

/// Sends an optional boolean as `1` / `0`.
pub fn ser_opt_int<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => ser_int(b, s),
        None => s.serialize_none(),
    }
}

/// A string enumeration with a fallback variant.
pub trait WireEnum: Sized {
    /// The wire value.
    fn as_wire(&self) -> &str;
    /// The variant of a wire value (`Other` when unknown).
    fn from_wire(s: &str) -> Self;
}
