//! `batch`: several method calls in one request.
//!
//! `cmd` is an object (or array) of `method?query-string` strings, run in the
//! order sent, with the caller's authorization. `halt` (true/1) stops at the
//! first failing command. Commands past the 50th are not run and get
//! `ERROR_BATCH_LENGTH_EXCEEDED`; a nested `batch` gets
//! `ERROR_BATCH_METHOD_NOT_ALLOWED`. A command may use an earlier result as
//! `$result[key][field]...`. Empty result objects are sent as `[]`, and an
//! object whose keys are `0..n` in order as a JSON array, as the portal's PHP
//! does.

use serde_json::{json, Map, Value};

use super::{run_metered, Call, Outcome, Reply};
use crate::errors::{self, ApiError};
use crate::faults::normalize_method;
use crate::wire::coerce::{flag, param};
use crate::wire::envelope::{error_json, Timing};
use crate::wire::params::{parse_urlencoded, Params};

/// Most commands one batch runs.
pub(crate) const MAX_COMMANDS: usize = 50;

pub(crate) fn run(call: &Call<'_>) -> Outcome {
    let halt = param(&call.params.map, "halt").is_some_and(flag);
    let commands: Vec<(String, Value)> = match param(&call.params.map, "cmd") {
        Some(Value::Object(obj)) => call
            .params
            .ordered_keys("cmd", obj)
            .into_iter()
            .filter_map(|k| obj.get(&k).map(|v| (k, v.clone())))
            .collect(),
        Some(Value::Array(arr)) => arr
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        _ => Vec::new(),
    };

    let mut result = Map::new();
    let mut result_error = Map::new();
    let mut result_time = Map::new();
    let mut result_total = Map::new();
    let mut result_next = Map::new();
    for (n, (key, cmd)) in commands.into_iter().enumerate() {
        let timing = Timing::begin();
        let outcome = if n >= MAX_COMMANDS {
            Err(errors::BATCH_LENGTH_EXCEEDED)
        } else {
            match cmd {
                Value::String(s) => run_command(call, &s, &result),
                _ => Err(errors::METHOD_NOT_FOUND),
            }
        };
        match outcome {
            Ok(Reply {
                result: v,
                total,
                next,
            }) => {
                result.insert(key.clone(), v);
                if let Some(t) = total {
                    result_total.insert(key.clone(), json!(t));
                }
                if let Some(n) = next {
                    result_next.insert(key.clone(), json!(n));
                }
                result_time.insert(key, timing.command_time_object());
            }
            Err(e) => {
                result_error.insert(key, error_json(&e));
                if halt {
                    break;
                }
            }
        }
    }
    Ok(json!({
        "result": php_array(result),
        "result_error": php_array(result_error),
        "result_total": php_array(result_total),
        "result_next": php_array(result_next),
        "result_time": php_array(result_time),
    }))
}

fn run_command(
    call: &Call<'_>,
    command: &str,
    done: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let command = substitute_results(command, done);
    let (method, query) = command.split_once('?').unwrap_or((command.as_str(), ""));
    let method = normalize_method(method);
    if method == "batch" {
        return Err(errors::BATCH_METHOD_NOT_ALLOWED);
    }
    let mut params = Params::default();
    parse_urlencoded(query.as_bytes(), &mut params);
    params.map.remove("auth");
    params.map.remove("sessid");
    let sub = Call {
        shared: call.shared,
        caller: call.caller,
        params: &params,
    };
    run_metered(&method, &sub).0
}

/// Replaces each `$result[key][field]...` whose path leads to a scalar in an
/// earlier result with that scalar (URL-encoded); others are left as they are.
fn substitute_results(command: &str, done: &Map<String, Value>) -> String {
    const MARK: &str = "$result[";
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(pos) = rest.find(MARK) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + MARK.len() - 1..];
        let (path, used) = bracket_path(tail);
        let value = path
            .split_first()
            .and_then(|(first, others)| {
                others.iter().try_fold(done.get(first)?, |v, seg| match v {
                    Value::Object(o) => o.get(seg),
                    Value::Array(a) => a.get(seg.parse::<usize>().ok()?),
                    _ => None,
                })
            })
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(if *b { "1" } else { "" }.to_owned()),
                _ => None,
            });
        match value {
            Some(v) if used > 0 => {
                out.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
                rest = &tail[used..];
            }
            _ => {
                out.push_str(MARK);
                rest = &rest[pos + MARK.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `[a][b]...` from the start of `s`: the segments and bytes used.
fn bracket_path(s: &str) -> (Vec<String>, usize) {
    let mut segs = Vec::new();
    let mut used = 0;
    let mut rest = s;
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        segs.push(inner[..close].to_owned());
        used += close + 2;
        rest = &inner[close + 1..];
    }
    (segs, used)
}

/// PHP's JSON view of an associative array: `[]` when empty, a list when
/// the keys are exactly `0, 1, 2, ...` in order, an object otherwise.
fn php_array(map: Map<String, Value>) -> Value {
    if map.is_empty() {
        return Value::Array(Vec::new());
    }
    let sequential = map.keys().all(|k| k.parse::<usize>().is_ok())
        && {
            let mut idx: Vec<usize> = map.keys().filter_map(|k| k.parse().ok()).collect();
            idx.sort_unstable();
            idx.iter().enumerate().all(|(i, k)| i == *k)
        }
        && map.keys().all(|k| !k.starts_with('0') || k == "0");
    if sequential {
        let mut items: Vec<(usize, Value)> = map
            .into_iter()
            .filter_map(|(k, v)| k.parse().ok().map(|i| (i, v)))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        Value::Array(items.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_earlier_results() {
        let mut done = Map::new();
        done.insert("a".into(), json!({"ID": "5", "L": [{"X": "a&b"}]}));
        assert_eq!(
            substitute_results("m?CHAT_ID=$result[a][ID]&Y=$result[a][L][0][X]", &done),
            "m?CHAT_ID=5&Y=a%26b"
        );
        assert_eq!(
            substitute_results("m?CHAT_ID=$result[zz][ID]", &done),
            "m?CHAT_ID=$result[zz][ID]"
        );
    }

    #[test]
    fn php_arrays() {
        assert_eq!(php_array(Map::new()), json!([]));
        let mut m = Map::new();
        m.insert("1".into(), json!(2));
        m.insert("0".into(), json!(1));
        assert_eq!(php_array(m), json!([1, 2]));
        let mut m = Map::new();
        m.insert("x".into(), json!(1));
        assert_eq!(php_array(m), json!({"x": 1}));
    }
}
