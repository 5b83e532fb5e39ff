//! The spec's methods as the emulator sees them: a table written by `build.rs` from the
//! generator's IR, embedded in the crate and parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::errors::ApiError;

/// The embedded table (JSON), see `build.rs`.
const TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/spec_table.json"));

/// Every spec method and the system errors.
#[derive(Debug, Deserialize)]
pub(crate) struct Table {
    /// The errors any method can answer (`spec/common/errors.yaml`).
    pub system_errors: Vec<ErrorCase>,
    /// The methods, in spec order.
    pub methods: Vec<MethodSpec>,
    /// Index of each method by lower-cased name (filled after parsing).
    #[serde(skip)]
    by_name: HashMap<String, usize>,
}

/// One spec method.
#[derive(Debug, Deserialize)]
pub(crate) struct MethodSpec {
    /// Wire name, as documented.
    pub name: String,
    /// Scopes it needs.
    pub scopes: Vec<String>,
    /// Parameters, in spec order.
    pub params: Vec<ParamSpec>,
    /// The `result` of a successful answer (the spec's example, or one built from its type).
    pub result: Value,
    /// The method's own documented error cases.
    pub errors: Vec<ErrorCase>,
}

/// One parameter.
#[derive(Debug, Deserialize)]
pub(crate) struct ParamSpec {
    /// Wire name.
    pub name: String,
    /// `yes`, `webhook` (only on webhook calls) or `no`.
    pub required: String,
    /// The wire kind a value must have (see `generic::fits`).
    pub kind: String,
    /// The method's documented error for a missing value, if the docs have one.
    pub missing: Option<ErrorCase>,
    /// The method's documented error for a value of the wrong type, if the docs have one.
    pub wrong_type: Option<ErrorCase>,
}

/// One documented error case.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct ErrorCase {
    /// The `error` code.
    pub code: String,
    /// HTTP status (200 for an error inside the result).
    pub status: u16,
    /// The `error_description` (may be empty when the docs give none).
    pub message: String,
    /// Whether it arrives inside a successful answer's result.
    pub in_result: bool,
}

impl ErrorCase {
    /// The error answer.
    pub(crate) fn api_error(&self) -> ApiError {
        ApiError {
            status: self.status,
            code: self.code.clone().into(),
            message: self.message.clone().into(),
        }
    }
}

/// The table, parsed on first use. A table that does not parse (it is written by our own
/// `build.rs`, so only a bug does that) is logged and treated as empty.
pub(crate) fn table() -> &'static Table {
    static PARSED: OnceLock<Table> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut t: Table = serde_json::from_str(TABLE).unwrap_or_else(|e| {
            tracing::error!("the embedded spec table does not parse: {e}");
            Table {
                system_errors: Vec::new(),
                methods: Vec::new(),
                by_name: HashMap::new(),
            }
        });
        t.by_name = t
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.to_ascii_lowercase(), i))
            .collect();
        t
    })
}

impl Table {
    /// The method of this (lower-cased) name.
    pub(crate) fn method(&self, lower_name: &str) -> Option<&MethodSpec> {
        self.by_name.get(lower_name).map(|&i| &self.methods[i])
    }

    /// A system error by code.
    pub(crate) fn system_error(&self, code: &str) -> Option<&ErrorCase> {
        self.system_errors.iter().find(|e| e.code == code)
    }

    /// The documented case of `code` for `method` (its own errors, then the system errors):
    /// the one with `message` when given, else the first. `Err` says what is wrong.
    pub(crate) fn documented(
        &self,
        method: &str,
        code: &str,
        message: Option<&str>,
    ) -> Result<ErrorCase, String> {
        let lower = crate::faults::normalize_method(method);
        let m = self
            .method(&lower)
            .ok_or_else(|| format!("{method} is not a spec method"))?;
        let cases: Vec<&ErrorCase> = m
            .errors
            .iter()
            .filter(|e| e.code == code)
            .chain(self.system_errors.iter().filter(|e| e.code == code))
            .collect();
        if cases.is_empty() {
            return Err(format!(
                "{code} is documented neither for {} nor as a system error",
                m.name
            ));
        }
        match message {
            None => Ok(cases[0].clone()),
            Some(text) => cases
                .iter()
                .find(|c| c.message == text)
                .map(|c| (*c).clone())
                .ok_or_else(|| format!("{code} of {} has no case with that message", m.name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_spec_method() {
        let t = table();
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/methods"))
            .unwrap()
            .count();
        assert_eq!(t.methods.len(), files);
        assert!(t.method("imbot.v2.bot.list").is_some());
        assert!(t.method("no.such.method").is_none());
        assert!(t.system_error("insufficient_scope").is_some());
    }

    #[test]
    fn the_embedded_table_parses_quickly() {
        let start = std::time::Instant::now();
        let t: Table = serde_json::from_str(TABLE).unwrap();
        let took = start.elapsed();
        eprintln!(
            "{} methods, {} bytes, parsed in {took:?}",
            t.methods.len(),
            TABLE.len()
        );
        assert!(took < std::time::Duration::from_millis(500), "{took:?}");
    }

    #[test]
    fn documented_cases_with_an_empty_code_are_found_by_message() {
        let t = table();
        let first = t.documented("user.userfield.delete", "", None).unwrap();
        assert_eq!(
            (first.status, first.message.as_str()),
            (400, "Access denied.")
        );
        let second = t
            .documented(
                "user.userfield.delete",
                "",
                Some("ID is not defined or invalid"),
            )
            .unwrap();
        assert_eq!((second.code.as_str(), second.status), ("", 400));
        assert!(t.documented("imbot.bot.list", "", None).is_err());
    }

    #[test]
    fn documented_cases_are_found_by_code_and_message() {
        let t = table();
        let e = t
            .documented("imopenlines.bot.session.finish", "BOT_ID_ERROR", None)
            .unwrap();
        assert_eq!((e.status, e.message.as_str()), (400, "Bot not found"));
        let sys = t
            .documented("imbot.bot.list", "QUERY_LIMIT_EXCEEDED", None)
            .unwrap();
        assert_eq!(sys.status, 503);
        assert!(t
            .documented("imbot.bot.list", "NO_SUCH_CODE", None)
            .is_err());
        assert!(t
            .documented("no.such.method", "BOT_ID_ERROR", None)
            .is_err());
        assert!(t
            .documented(
                "imopenlines.bot.session.finish",
                "BOT_ID_ERROR",
                Some("other")
            )
            .is_err());
    }
}
