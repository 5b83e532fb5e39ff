//! Form bodies the way PHP's `http_build_query` writes them (`PHP_QUERY_RFC1738`), for the
//! events the emulator POSTs to handlers: nested keys in brackets (`data[PARAMS][MESSAGE]`),
//! every scalar as text, `true`/`false` as `1`/`0`, `null` and empty arrays/objects left out.

use serde_json::Value;

/// Encodes a JSON object as a form body (anything else gives an empty body).
pub fn http_build_query(value: &Value) -> String {
    let mut out = String::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            walk(k, v, &mut out);
        }
    }
    out
}

fn walk(name: &str, value: &Value, out: &mut String) {
    let scalar = match value {
        Value::Null => return,
        Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{name}[{i}]"), v, out);
            }
            return;
        }
        Value::Object(map) => {
            for (k, v) in map {
                walk(&format!("{name}[{k}]"), v, out);
            }
            return;
        }
    };
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(&urlencode(name));
    out.push('=');
    out.push_str(&urlencode(&scalar));
}

/// PHP's `urlencode`: letters, digits and `-_.` stay; a space is `+`; every other byte `%XX`.
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys_scalars_as_text_and_empties_left_out() {
        let body = http_build_query(&json!({
            "event": "ONIMBOTMESSAGEADD",
            "data": {"PARAMS": {"MESSAGE": "hi there & more", "CHAT_ID": 101, "X": true, "N": null},
                     "EMPTY": {}, "LIST": ["a", false]},
            "ts": 5
        }));
        let mut fields: Vec<&str> = body.split('&').collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "data%5BLIST%5D%5B0%5D=a",
                "data%5BLIST%5D%5B1%5D=0",
                "data%5BPARAMS%5D%5BCHAT_ID%5D=101",
                "data%5BPARAMS%5D%5BMESSAGE%5D=hi+there+%26+more",
                "data%5BPARAMS%5D%5BX%5D=1",
                "event=ONIMBOTMESSAGEADD",
                "ts=5",
            ]
        );
        assert_eq!(urlencode("ü~*"), "%C3%BC%7E%2A");
    }
}
