//! The tree a form body parses into: string leaves and ordered maps, as PHP's arrays hold them.

use super::redact::is_secret_key;
use std::collections::HashMap;
use std::fmt;

/// A value of a parsed form body: a string, or a map (a PHP array) of further values.
#[derive(Clone, PartialEq, Eq)]
pub enum FormValue {
    /// A leaf: every scalar arrives as text.
    Str(String),
    /// A PHP array: keys in the order they first appeared.
    Map(FormMap),
}

impl FormValue {
    /// The text of a leaf.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FormValue::Str(s) => Some(s),
            FormValue::Map(_) => None,
        }
    }

    /// The map, when this is one.
    pub fn as_map(&self) -> Option<&FormMap> {
        match self {
            FormValue::Map(m) => Some(m),
            FormValue::Str(_) => None,
        }
    }

    /// The value at `key` of a map (`None` for a leaf or a missing key).
    pub fn get(&self, key: &str) -> Option<&FormValue> {
        self.as_map()?.get(key)
    }

    /// As JSON the way PHP's `json_encode` writes the array: a map whose keys are `0..n-1` in
    /// order becomes an array, any other map an object (its keys sorted, as `serde_json`
    /// keeps them), leaves strings. With `redact`, the value
    /// of every key that names a secret (see [`is_secret_key`](super::is_secret_key)) becomes `"<redacted>"`.
    pub fn to_json(&self, redact: bool) -> serde_json::Value {
        match self {
            FormValue::Str(s) => serde_json::Value::String(s.clone()),
            FormValue::Map(m) => m.to_json(redact),
        }
    }
}

impl fmt::Debug for FormValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormValue::Str(s) => fmt::Debug::fmt(s, f),
            FormValue::Map(m) => fmt::Debug::fmt(m, f),
        }
    }
}

/// Maps with more entries than this get a hash index, so that a body with many keys in one map
/// parses in linear time.
const INDEX_FROM: usize = 8;

/// A PHP array: entries in insertion order, keys unique; replacing a value keeps its place.
#[derive(Clone, Default)]
pub struct FormMap {
    entries: Vec<(String, FormValue)>,
    index: Option<HashMap<String, usize>>,
    /// PHP's `nNextFreeElement`: the key `[]` appends under (`None`: no integer key yet, 0).
    next_free: Option<i64>,
}

impl PartialEq for FormMap {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for FormMap {}

impl FormMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&FormValue> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// Entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &FormValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub(crate) fn entries(&self) -> &[(String, FormValue)] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the keys are `0, 1, …, n-1` in this order (PHP's "list"; `json_encode` writes it
    /// as an array).
    pub fn is_list(&self) -> bool {
        self.entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| php_int_key(k) == i64::try_from(i).ok())
    }

    /// Takes the value at `key` out of the map.
    pub fn remove(&mut self, key: &str) -> Option<FormValue> {
        let i = self.position(key)?;
        let (_, v) = self.entries.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(v)
    }

    /// See [`FormValue::to_json`].
    pub fn to_json(&self, redact: bool) -> serde_json::Value {
        let value = |k: &str, v: &FormValue| {
            if redact && is_secret_key(k) {
                serde_json::Value::String("<redacted>".into())
            } else {
                v.to_json(redact)
            }
        };
        if self.is_list() {
            serde_json::Value::Array(self.iter().map(|(k, v)| value(k, v)).collect())
        } else {
            serde_json::Value::Object(
                self.iter()
                    .map(|(k, v)| (k.to_string(), value(k, v)))
                    .collect(),
            )
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn reindex(&mut self) {
        let ix = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
        self.index = Some(ix);
    }

    fn push(&mut self, key: String, value: FormValue) -> usize {
        if let Some(n) = php_int_key(&key) {
            if self.next_free.is_none_or(|free| n >= free) {
                self.next_free = Some(n.saturating_add(1));
            }
        }
        let i = self.entries.len();
        if i < 4 && i == self.entries.capacity() {
            // Most maps of an event hold a few keys: grow one by one up to 4, not to 4 at once.
            self.entries.reserve_exact(1);
        }
        match &mut self.index {
            Some(ix) => {
                ix.insert(key.clone(), i);
            }
            None if i + 1 > INDEX_FROM => {
                self.entries.push((key, value));
                self.reindex();
                return i;
            }
            None => {}
        }
        self.entries.push((key, value));
        i
    }

    /// Sets `key` to `value`: in place when the key exists, else at the end.
    pub(crate) fn set(&mut self, key: &str, value: FormValue) {
        match self.position(key) {
            Some(i) => self.entries[i].1 = value,
            None => {
                self.push(key.to_string(), value);
            }
        }
    }

    /// The map at `key`, made an empty map first when the key is missing or holds a string
    /// (always `Some`).
    pub(crate) fn map_at(&mut self, key: &str) -> Option<&mut FormMap> {
        let i = match self.position(key) {
            Some(i) => {
                if !matches!(self.entries[i].1, FormValue::Map(_)) {
                    self.entries[i].1 = FormValue::Map(FormMap::new());
                }
                i
            }
            None => self.push(key.to_string(), FormValue::Map(FormMap::new())),
        };
        match &mut self.entries[i].1 {
            FormValue::Map(m) => Some(m),
            FormValue::Str(_) => None,
        }
    }

    /// Appends `value` under the next integer key (PHP's `$a[] = …`); `None` when that key is
    /// taken (the integer keys reached `i64::MAX`): PHP drops the value then.
    pub(crate) fn append(&mut self, value: FormValue) -> Option<&mut FormValue> {
        let key = self.next_free.unwrap_or(0).to_string();
        if self.position(&key).is_some() {
            return None;
        }
        let i = self.push(key, value);
        Some(&mut self.entries[i].1)
    }
}

impl fmt::Debug for FormMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter() {
            if is_secret_key(k) {
                m.entry(&k, &format_args!("<redacted>"));
            } else {
                m.entry(&k, v);
            }
        }
        m.finish()
    }
}

/// The integer a key stands for in a PHP array (`"0"`, `"-3"`, `"42"`; not `"05"`, `"-0"`,
/// `" 1"` or anything out of `i64`), as `ZEND_HANDLE_NUMERIC_STR` decides.
pub(crate) fn php_int_key(k: &str) -> Option<i64> {
    let digits = k.strip_prefix('-').unwrap_or(k);
    let b = digits.as_bytes();
    if b.is_empty()
        || !b.iter().all(u8::is_ascii_digit)
        || (b[0] == b'0' && (b.len() > 1 || k.starts_with('-')))
    {
        return None;
    }
    k.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_follow_php() {
        for (k, n) in [("0", Some(0)), ("42", Some(42)), ("-3", Some(-3))] {
            assert_eq!(php_int_key(k), n, "{k}");
        }
        for k in [
            "05",
            "-0",
            " 1",
            "1 ",
            "",
            "-",
            "+1",
            "9223372036854775808",
            "1e3",
        ] {
            assert_eq!(php_int_key(k), None, "{k}");
        }
        assert_eq!(php_int_key("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn replacing_keeps_the_place_and_appending_follows_the_largest_integer_key() {
        let mut m = FormMap::new();
        m.set("b", FormValue::Str("1".into()));
        m.set("7", FormValue::Str("2".into()));
        m.set("b", FormValue::Str("3".into()));
        m.append(FormValue::Str("4".into()));
        let keys: Vec<&str> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "7", "8"]);
        assert_eq!(m.get("b").and_then(FormValue::as_str), Some("3"));
        assert!(!m.is_list());
    }

    #[test]
    fn many_keys_get_an_index_and_removal_keeps_it_right() {
        let mut m = FormMap::new();
        for i in 0..100 {
            m.set(&format!("k{i}"), FormValue::Str(i.to_string()));
        }
        assert_eq!(
            m.remove("k10").and_then(|v| v.as_str().map(str::to_owned)),
            Some("10".into())
        );
        assert_eq!(m.get("k99").and_then(FormValue::as_str), Some("99"));
        assert_eq!(m.get("k10"), None);
        assert_eq!(m.len(), 99);
    }

    #[test]
    fn secrets_never_print() {
        let mut m = FormMap::new();
        m.set("access_token", FormValue::Str("abc123".into()));
        m.set("ID", FormValue::Str("5".into()));
        let shown = format!("{m:?}");
        assert!(
            !shown.contains("abc123") && shown.contains("<redacted>"),
            "{shown}"
        );
        let json = m.to_json(true).to_string();
        assert!(!json.contains("abc123"), "{json}");
        assert!(m.to_json(false).to_string().contains("abc123"));
    }
}
