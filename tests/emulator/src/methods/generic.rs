//! The answer of a spec method without a stateful handler: the request is checked against the
//! spec (scopes, required params, wire kinds) and answered with a result of the documented
//! shape (the spec's `result.example`, or one built from the result type).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Call, Outcome};
use crate::auth::AuthKind;
use crate::errors::ApiError;
use crate::shared::lock;
use crate::spec_table::{table, ErrorCase, MethodSpec, ParamSpec};
use crate::wire::coerce::given;

/// The `insufficient_scope` answer when the caller lacks one of the method's scopes. Browser
/// sessions act as the user and are not limited by scopes.
pub(crate) fn scope_refusal(spec: &MethodSpec, call: &Call<'_>) -> Option<ApiError> {
    if call.caller.kind == AuthKind::Session {
        return None;
    }
    let granted = lock(&call.shared.scopes);
    let granted: &BTreeSet<String> = granted.as_ref()?;
    let missing = spec.scopes.iter().any(|s| !granted.contains(s));
    missing.then(insufficient_scope)
}

/// `403 insufficient_scope`, as the spec's system errors document it.
fn insufficient_scope() -> ApiError {
    table()
        .system_error("insufficient_scope")
        .map_or_else(|| invalid_arg("insufficient_scope"), ErrorCase::api_error)
}

/// Checks the params and answers the method's example result.
pub(crate) fn answer(spec: &MethodSpec, call: &Call<'_>) -> Outcome {
    let webhook = call.caller.kind == AuthKind::Webhook;
    for p in &spec.params {
        let required = p.required == "yes" || (p.required == "webhook" && webhook);
        match given(&call.params.map, &p.name) {
            Some(v) if !is_empty(v) && !fits(&p.kind, v) => return Err(wrong_type(p)),
            Some(v) if !is_empty(v) => {}
            _ if required => return Err(missing(p)),
            _ => {}
        }
    }
    Ok(spec.result.clone())
}

/// The `result` of an answer that reports `code` inside a successful answer: the method's
/// example result (so its other always-present fields are there, as in the documented answers)
/// with `error` and `error_description` set.
pub(crate) fn result_error(method: &str, code: String, message: String) -> Value {
    let mut result = match table().method(method).map(|m| &m.result) {
        Some(Value::Object(example)) => example.clone(),
        _ => serde_json::Map::new(),
    };
    result.insert("error".into(), Value::String(code));
    result.insert("error_description".into(), Value::String(message));
    Value::Object(result)
}

/// The error for a missing required param: the method's documented one, else
/// `INVALID_ARG_VALUE`.
fn missing(p: &ParamSpec) -> ApiError {
    p.missing.as_ref().map_or_else(
        || invalid_arg(&format!("Required parameter '{}' is not given", p.name)),
        ErrorCase::api_error,
    )
}

/// The error for a param of the wrong wire type: the method's documented one, else
/// `INVALID_ARG_VALUE`.
fn wrong_type(p: &ParamSpec) -> ApiError {
    p.wrong_type.as_ref().map_or_else(
        || {
            invalid_arg(&format!(
                "Parameter '{}' must be {}",
                p.name,
                kind_text(&p.kind)
            ))
        },
        ErrorCase::api_error,
    )
}

/// `400 INVALID_ARG_VALUE`: the docs name no system error for bad arguments, so the emulator
/// uses this one for every method that documents none of its own.
fn invalid_arg(message: &str) -> ApiError {
    ApiError {
        status: 400,
        code: "INVALID_ARG_VALUE".into(),
        message: message.to_owned().into(),
    }
}

/// `null` and `""` count as not given, as the portal's PHP reads them.
fn is_empty(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str().is_some_and(str::is_empty)
}

/// Whether `v` has the wire kind `kind` (values from forms and queries are text, so numbers
/// and flags are read from text too).
pub(crate) fn fits(kind: &str, v: &Value) -> bool {
    let text = v.as_str().map(str::trim);
    match kind {
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => text.is_some_and(|t| t.parse::<i64>().is_ok()),
        },
        "number" => v.is_number() || text.is_some_and(|t| t.parse::<f64>().is_ok()),
        "scalar" => v.is_string() || v.is_number() || v.is_boolean(),
        "yn" | "flag" | "boolean" => {
            v.is_boolean()
                || v.as_i64().is_some_and(|i| i == 0 || i == 1)
                || text.is_some_and(|t| {
                    ["Y", "N", "1", "0", "true", "false"]
                        .iter()
                        .any(|f| t.eq_ignore_ascii_case(f))
                })
        }
        "list" => v.is_array() || v.is_object(),
        "object" => v.is_object() || v.as_array().is_some_and(Vec::is_empty),
        _ => true,
    }
}

fn kind_text(kind: &str) -> &'static str {
    match kind {
        "integer" => "an integer",
        "number" => "a number",
        "scalar" => "a string",
        "yn" => "Y or N",
        "flag" => "1 or 0",
        "boolean" => "a boolean",
        "list" => "a list",
        "object" => "an object",
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_accept_form_text_and_refuse_other_shapes() {
        assert!(fits("integer", &json!("12")) && fits("integer", &json!(12)));
        assert!(!fits("integer", &json!("twelve")) && !fits("integer", &json!({"a": 1})));
        assert!(fits("yn", &json!("Y")) && !fits("yn", &json!("maybe")));
        assert!(fits("scalar", &json!(5)) && !fits("scalar", &json!([1])));
        assert!(fits("list", &json!({"0": "a"})) && !fits("list", &json!("a")));
        assert!(fits("object", &json!([])) && !fits("object", &json!([1])));
        assert!(fits("any", &json!(null)));
    }

    #[test]
    fn empty_values_count_as_missing() {
        assert!(is_empty(&json!("")) && is_empty(&json!(null)));
        assert!(!is_empty(&json!(0)) && !is_empty(&json!("0")));
    }
}
