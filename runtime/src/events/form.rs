//! `application/x-www-form-urlencoded` bodies, read the way PHP fills `$_POST`; the rules are
//! listed on [`parse_form`](super::parse_form).

use super::limits::Limits;
use super::tree::{FormMap, FormValue};
use std::borrow::Cow;

/// Why a form body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FormError {
    TooLarge {
        size: usize,
    },
    TooManyFields,
    TooDeep,
    /// Field number (from 1) whose name or value is not UTF-8 once decoded.
    NotUtf8 {
        field: usize,
    },
}

/// Parses a form body into its top-level map.
pub(crate) fn parse(body: &[u8], limits: &Limits) -> Result<FormMap, FormError> {
    if body.len() > limits.max_body {
        return Err(FormError::TooLarge { size: body.len() });
    }
    let mut root = FormMap::new();
    let mut fields = 0usize;
    for raw in body.split(|b| *b == b'&').filter(|f| !f.is_empty()) {
        fields += 1;
        if fields > limits.max_fields {
            return Err(FormError::TooManyFields);
        }
        let (name, value) = match raw.iter().position(|b| *b == b'=') {
            Some(i) => (&raw[..i], &raw[i + 1..]),
            None => (raw, &[][..]),
        };
        let name = percent_decode(name);
        let name = match name.iter().position(|b| *b == 0) {
            Some(nul) => &name[..nul],
            None => &name[..],
        };
        let bad = || FormError::NotUtf8 { field: fields };
        let name = std::str::from_utf8(name).map_err(|_| bad())?;
        let value = String::from_utf8(percent_decode(value).into_owned()).map_err(|_| bad())?;
        let Some(path) = split_name(name, limits.depth())? else {
            continue;
        };
        store(&mut root, path, value);
    }
    Ok(root)
}

/// PHP's `php_url_decode`: `+` is a space, `%XX` a byte, a stray `%` itself.
pub(crate) fn percent_decode(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.iter().any(|b| matches!(b, b'+' | b'%')) {
        return Cow::Borrowed(s);
    }
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                s.get(i + 1).and_then(|b| hex(*b)),
                s.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// A field name split into its top-level name and the keys in brackets (`None` for `[]`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Path<'a> {
    pub(crate) base: String,
    pub(crate) keys: Vec<Option<&'a str>>,
}

/// Splits a decoded name as `php_register_variable_ex` does; `Ok(None)` when PHP drops it.
pub(crate) fn split_name(name: &str, max_depth: usize) -> Result<Option<Path<'_>>, FormError> {
    let name = name.trim_start_matches(' ');
    let b = name.as_bytes();
    let open = b.iter().position(|c| *c == b'[');
    let head = &name[..open.unwrap_or(b.len())];
    if head.is_empty() {
        return Ok(None);
    }
    let mut base = head.replace([' ', '.'], "_");
    let mut keys = Vec::new();
    let Some(mut at) = open else {
        return Ok(Some(Path { base, keys }));
    };
    // `at` is the index of a `[`.
    loop {
        if keys.len() + 1 > max_depth {
            return Err(FormError::TooDeep);
        }
        let start = at + 1;
        let mut p = start;
        if b.get(p) == Some(&b' ') {
            p += 1;
        }
        let (key, close) = if b.get(p) == Some(&b']') {
            (None, p)
        } else {
            match b[p.min(b.len())..].iter().position(|c| *c == b']') {
                Some(off) => (Some(&name[start..p + off]), p + off),
                None => {
                    if keys.is_empty() {
                        // Not a bracket after all: part of a plain name.
                        base.push('_');
                        base.push_str(&name[start..].replace([' ', '.', '['], "_"));
                    }
                    break;
                }
            }
        };
        keys.push(key);
        if b.get(close + 1) == Some(&b'[') {
            at = close + 1;
        } else {
            break;
        }
    }
    Ok(Some(Path { base, keys }))
}

/// Stores `value` at `path`, creating maps on the way (PHP's rules for existing values).
fn store(root: &mut FormMap, path: Path<'_>, value: String) {
    let mut map = root;
    let mut key: Option<&str> = Some(&path.base);
    for next in path.keys {
        let child = match key {
            Some(k) => map.map_at(k),
            None => match map.append(FormValue::Map(FormMap::new())) {
                Some(FormValue::Map(m)) => Some(m),
                _ => None,
            },
        };
        let Some(child) = child else { return };
        map = child;
        key = next;
    }
    match key {
        Some(k) => map.set(k, FormValue::Str(value)),
        None => {
            let _ = map.append(FormValue::Str(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as JSON with its keys in order (lists as objects too).
    fn show(v: &FormValue) -> String {
        match v {
            FormValue::Str(s) => serde_json::Value::from(s.as_str()).to_string(),
            FormValue::Map(m) => {
                let items: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k), show(v)))
                    .collect();
                format!("{{{}}}", items.join(","))
            }
        }
    }

    fn parse_json(body: &str) -> String {
        parse(body.as_bytes(), &Limits::default())
            .map(|m| show(&FormValue::Map(m)))
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn php_rules_on_small_bodies() {
        let cases = [
            ("a[]=1&a[]=2", r#"{"a":{"0":"1","1":"2"}}"#),
            ("a[x][]=1", r#"{"a":{"x":{"0":"1"}}}"#),
            ("b=1&a=2&b=3", r#"{"b":"3","a":"2"}"#),
            ("a=1&a=2", r#"{"a":"2"}"#),
            ("a[b=1", r#"{"a_b":"1"}"#),
            ("a[b][c=1", r#"{"a":{"b":"1"}}"#),
            ("a]b=1", r#"{"a]b":"1"}"#),
            ("+a.b+c[x.y]=1", r#"{"a_b_c":{"x.y":"1"}}"#),
            ("a[ ]=1&a[ b]=2", r#"{"a":{"0":"1"," b":"2"}}"#),
            ("a[b]c=1", r#"{"a":{"b":"1"}}"#),
            ("a=1&a[b]=2", r#"{"a":{"b":"2"}}"#),
            ("a[b]=2&a=1", r#"{"a":"1"}"#),
            ("a%00b=1&c=x%00y", r#"{"a":"1","c":"x\u0000y"}"#),
            ("%zz=%4", r#"{"%zz":"%4"}"#),
            ("=1&[x]=2&&b", r#"{"b":""}"#),
            ("a[-5]=1&a[]=2", r#"{"a":{"-5":"1","-4":"2"}}"#),
            (
                "a[05]=1&a[5]=2&a[]=3",
                r#"{"a":{"05":"1","5":"2","6":"3"}}"#,
            ),
            (
                "a[9223372036854775807]=1&a[]=2",
                r#"{"a":{"9223372036854775807":"1"}}"#,
            ),
            ("a[[[[=1", r#"{"a____":"1"}"#),
            ("a%5Bb%5D=x+y%20z", r#"{"a":{"b":"x y z"}}"#),
            ("k=a=b", r#"{"k":"a=b"}"#),
        ];
        for (body, want) in cases {
            assert_eq!(parse_json(body), want, "{body}");
        }
    }

    #[test]
    fn limits_and_bad_bytes() {
        let limits = Limits::default().max_depth(2).max_fields(2).max_body(20);
        let p = |b: &str| parse(b.as_bytes(), &limits).map(|_| ());
        assert_eq!(p("a[1][2]=x"), Ok(()));
        assert_eq!(p("a[1][2][3]=x"), Err(FormError::TooDeep));
        assert_eq!(p("a[[[[[[[[=x"), Ok(()), "unclosed brackets do not nest");
        assert_eq!(p("a=1&&b=2"), Ok(()), "empty fields do not count");
        assert_eq!(p("a=1&b=2&c=3"), Err(FormError::TooManyFields));
        assert_eq!(
            p("a=1234567890123456789"),
            Err(FormError::TooLarge { size: 21 })
        );
        assert_eq!(p("a=%ff"), Err(FormError::NotUtf8 { field: 1 }));
        assert_eq!(p("a%00%ff=1"), Ok(()), "the name ends at NUL");
    }

    #[test]
    fn a_hundred_thousand_brackets_are_refused_without_recursion() {
        let body = format!("a{}=1", "[]".repeat(100_000));
        let err = parse(body.as_bytes(), &Limits::default());
        assert_eq!(err.map(|_| ()), Err(FormError::TooDeep));
    }
}
