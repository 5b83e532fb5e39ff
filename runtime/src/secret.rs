//! Secret strings: webhook codes, tokens, client secrets. They never print.

use std::fmt;

/// A string that is never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value, for sending. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<&String> for Secret {
    fn from(s: &String) -> Self {
        Secret(s.clone())
    }
}

impl From<&Secret> for Secret {
    fn from(s: &Secret) -> Self {
        s.clone()
    }
}

impl AsRef<str> for Secret {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Sent as the plain string: the wire needs the value, only printing hides it.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <Secret as crate::__private::Lenient>::lenient(d)
    }
}

impl crate::__private::Lenient for Secret {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::lenient(d).map(Secret)
    }
    fn lenient_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        String::lenient_opt(d).map(|s| s.map(Secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_in_full_printed_never() {
        let s = Secret::new("tok3n");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"tok3n\"");
        assert!(!format!("{s:?} {s}").contains("tok3n"));
        let back: Secret = serde_json::from_str("\"tok3n\"").unwrap();
        assert_eq!(back, s);
        let n: Secret = serde_json::from_str("12").unwrap();
        assert_eq!(n.expose(), "12");
    }
}
