//! Turning a request's query string and body into one parameter object.
//!
//! Sources, merged in this order (later ones win on equal top-level keys):
//! the query string, then the body. The body is read by its `Content-Type`:
//! `application/json` (an object; anything else is ignored),
//! `application/x-www-form-urlencoded` and `multipart/form-data` (text parts),
//! both with PHP-style nested keys (`FIELDS[NAME]=x`, `ids[]=1`). A body that
//! cannot be read adds nothing, so the method sees missing parameters and
//! answers with its documented error.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Request parameters, plus the order in which the keys of each top-level
/// object parameter arrived (a JSON object map here is sorted by key, and
/// `batch` must run its commands in the order they were sent).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    /// The parameters.
    pub map: Map<String, Value>,
    /// For a top-level parameter that is an object: its keys in arrival order.
    pub key_order: HashMap<String, Vec<String>>,
}

impl Params {
    /// The keys of the top-level object parameter `name` in arrival order;
    /// keys missing from the record follow in map order.
    pub(crate) fn ordered_keys(&self, name: &str, obj: &Map<String, Value>) -> Vec<String> {
        let mut keys: Vec<String> = self
            .key_order
            .get(name)
            .map(|v| v.iter().filter(|k| obj.contains_key(*k)).cloned().collect())
            .unwrap_or_default();
        for k in obj.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        keys
    }

    fn note_order(&mut self, top: &str, child: &str) {
        let list = self.key_order.entry(top.to_owned()).or_default();
        if !list.iter().any(|k| k == child) {
            list.push(child.to_owned());
        }
    }
}

/// Parses a query string or form body (`a=1&FIELDS[NAME]=x`) into `into`.
pub(crate) fn parse_urlencoded(input: &[u8], into: &mut Params) {
    for (k, v) in url::form_urlencoded::parse(input) {
        insert_key(into, &k, Value::String(v.into_owned()));
    }
}

/// Reads a request body according to its content type into `into`.
pub(crate) fn parse_body(content_type: Option<&str>, body: &[u8], into: &mut Params) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim().to_owned();
    if essence == "application/json" || essence.ends_with("+json") {
        merge_json(body, into);
    } else if essence == "application/x-www-form-urlencoded" {
        parse_urlencoded(body, into);
    } else if essence == "multipart/form-data" {
        if let Some(boundary) = boundary_of(content_type.unwrap_or("")) {
            parse_multipart(body, &boundary, into);
        }
    } else if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        // No (or an unknown) content type: take a JSON object if it is one.
        merge_json(body, into);
    } else {
        parse_urlencoded(body, into);
    }
}

fn merge_json(body: &[u8], into: &mut Params) {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => {
            if let Ok(TopOrder(order)) = serde_json::from_slice::<TopOrder>(body) {
                for (k, children) in order {
                    if !children.is_empty() {
                        into.key_order.insert(k, children);
                    }
                }
            }
            for (k, v) in obj {
                into.map.insert(k, v);
            }
        }
        Ok(_) => tracing::debug!("JSON body is not an object; ignored"),
        Err(e) => tracing::debug!("JSON body does not parse ({e}); ignored"),
    }
}

fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("boundary") {
            Some(v.trim().trim_matches('"').to_owned())
        } else {
            None
        }
    })
}

fn parse_multipart(body: &[u8], boundary: &str, into: &mut Params) {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))
        else {
            continue;
        };
        let value = value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
            .unwrap_or(value);
        let name = head.lines().find_map(|line| {
            let (h, rest) = line.split_once(':')?;
            if !h.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            rest.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
            })
        });
        if let Some(name) = name {
            insert_key(into, &name, Value::String(value.to_owned()));
        }
    }
}

/// Splits `a[b][]` into `("a", ["b", ""])`; a key that is not well formed is
/// kept whole.
fn split_key(key: &str) -> (String, Vec<String>) {
    let Some(open) = key.find('[') else {
        return (key.to_owned(), Vec::new());
    };
    if open == 0 {
        return (key.to_owned(), Vec::new());
    }
    let base = key[..open].to_owned();
    let mut segments = Vec::new();
    let mut rest = &key[open..];
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else {
            return (key.to_owned(), Vec::new());
        };
        segments.push(stripped[..close].to_owned());
        rest = &stripped[close + 1..];
    }
    if !rest.is_empty() {
        // Trailing text after the last bracket: PHP drops it; so do we.
        tracing::debug!("ignoring trailing text in parameter key {key:?}");
    }
    (base, segments)
}

/// Inserts one `key=value` pair, honouring nested bracket keys.
pub(crate) fn insert_key(into: &mut Params, key: &str, value: Value) {
    let (base, path) = split_key(key);
    if let Some(first) = path.first().filter(|s| !s.is_empty()) {
        into.note_order(&base, first);
    }
    let slot = into.map.entry(base).or_insert(Value::Null);
    insert_path(slot, &path, value);
}

/// The top-level keys of a JSON object, each with its own keys if it is an
/// object, in document order.
struct TopOrder(Vec<(String, Vec<String>)>);

impl<'de> Deserialize<'de> for TopOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopOrder;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<TopOrder, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    let ChildKeys(children) = m.next_value()?;
                    out.push((k, children));
                }
                Ok(TopOrder(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The keys of a JSON value if it is an object; empty for anything else.
struct ChildKeys(Vec<String>);

impl<'de> Deserialize<'de> for ChildKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ChildKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ChildKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    m.next_value::<IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(ChildKeys(keys))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<ChildKeys, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ChildKeys, E> {
                Ok(ChildKeys(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

fn insert_path(slot: &mut Value, path: &[String], value: Value) {
    let Some((seg, rest)) = path.split_first() else {
        *slot = value;
        return;
    };
    if !slot.is_object() && !slot.is_array() {
        *slot = if seg.is_empty() || seg == "0" {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    // An array that is addressed with a non-sequential key becomes an object.
    if let Value::Array(arr) = slot {
        let fits = seg.is_empty() || seg.parse::<usize>().is_ok_and(|i| i <= arr.len());
        if !fits {
            let obj: Map<String, Value> = std::mem::take(arr)
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect();
            *slot = Value::Object(obj);
        }
    }
    match slot {
        Value::Array(arr) => {
            let idx = if seg.is_empty() {
                arr.len()
            } else {
                seg.parse::<usize>().unwrap_or(arr.len())
            };
            if idx == arr.len() {
                arr.push(Value::Null);
            }
            if let Some(next) = arr.get_mut(idx) {
                insert_path(next, rest, value);
            }
        }
        Value::Object(obj) => {
            let key = if seg.is_empty() {
                obj.keys()
                    .filter_map(|k| k.parse::<u64>().ok())
                    .max()
                    .map_or(0, |m| m + 1)
                    .to_string()
            } else {
                seg.clone()
            };
            let next = obj.entry(key).or_insert(Value::Null);
            insert_path(next, rest, value);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Value {
        let mut m = Params::default();
        parse_urlencoded(s.as_bytes(), &mut m);
        Value::Object(m.map)
    }

    #[test]
    fn nested_keys() {
        assert_eq!(
            parse("FIELDS[NAME]=x&FIELDS[PHONE][0][VALUE]=1&CHAT_ID=5"),
            json!({"FIELDS": {"NAME": "x", "PHONE": [{"VALUE": "1"}]}, "CHAT_ID": "5"})
        );
        assert_eq!(parse("a[]=1&a[]=2"), json!({"a": ["1", "2"]}));
        assert_eq!(parse("cmd[x]=m%3Fa%3D1"), json!({"cmd": {"x": "m?a=1"}}));
        assert_eq!(parse("a[5]=1"), json!({"a": {"5": "1"}}));
        assert_eq!(parse("a[b=1"), json!({"a[b": "1"}));
        assert_eq!(parse("[x]=1"), json!({"[x]": "1"}));
        assert_eq!(parse("a=1&a[b]=2"), json!({"a": {"b": "2"}}));
    }

    #[test]
    fn multipart_text_fields() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"CHAT_ID\"\r\n\r\n12\r\n--XyZ\r\nContent-Disposition: form-data; name=\"F[A]\"\r\n\r\nv\r\n--XyZ--\r\n";
        let mut m = Params::default();
        parse_body(
            Some("multipart/form-data; boundary=XyZ"),
            body.as_bytes(),
            &mut m,
        );
        assert_eq!(
            Value::Object(m.map),
            json!({"CHAT_ID": "12", "F": {"A": "v"}})
        );
    }

    #[test]
    fn bad_json_adds_nothing() {
        let mut m = Params::default();
        parse_body(Some("application/json"), b"{\"CHAT_ID\": ", &mut m);
        assert!(m.map.is_empty());
    }

    #[test]
    fn key_order_is_kept() {
        let mut m = Params::default();
        parse_body(
            Some("application/json"),
            br#"{"halt": 0, "cmd": {"zeta": "a", "alpha": "b", "mid": "c"}}"#,
            &mut m,
        );
        let cmd = m.map["cmd"].as_object().cloned().unwrap_or_default();
        assert_eq!(m.ordered_keys("cmd", &cmd), vec!["zeta", "alpha", "mid"]);
        let mut f = Params::default();
        parse_urlencoded(b"cmd[z]=1&cmd[a]=2", &mut f);
        let cmd = f.map["cmd"].as_object().cloned().unwrap_or_default();
        assert_eq!(f.ordered_keys("cmd", &cmd), vec!["z", "a"]);
    }
}
