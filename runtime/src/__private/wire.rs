//! Wire forms of sent values: scalars as text, string enumerations (booleans: `writer.rs`).

/// A param's value as sent, as text (`None` when unset or not a scalar).
pub fn wire_value<T: serde::Serialize + ?Sized>(v: &T) -> Option<String> {
    match serde_json::to_value(v).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string enumeration with a fallback variant.
pub trait WireEnum: Sized {
    /// The wire value.
    fn as_wire(&self) -> &str;
    /// The variant of a wire value (`Other` when unknown).
    fn from_wire(s: &str) -> Self;
}
