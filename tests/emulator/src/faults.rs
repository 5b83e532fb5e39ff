//! Injected failures: what a flaky proxy or network in front of the portal
//! would do to REST answers.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Deserialize;

/// A failure to apply to upcoming REST requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer `502` with an nginx-style HTML "Bad Gateway" page
    /// (`text/html`); the portal never sees the request.
    Html502,
    /// Process the request, then send only the first part of its JSON body
    /// (status 200, `application/json`), so the body does not parse.
    Truncated,
    /// Wait this long, then process and answer normally.
    Delay(Duration),
    /// Answer with this REST error (`{"error": code, "error_description":
    /// message}` as JSON, with `status`) without running the method; for
    /// errors the emulator cannot otherwise produce.
    Error {
        /// HTTP status of the answer.
        status: u16,
        /// The `error` code.
        code: String,
        /// The `error_description` text.
        message: String,
    },
    /// Answer `200` with `{"result": {"error": code, "error_description": message}}` without
    /// running the method: an error the docs place inside a successful answer.
    ResultError {
        /// The result's `error` code.
        code: String,
        /// The result's `error_description` text.
        message: String,
    },
}

/// The fault that answers `method`'s documented error `code` (its own, or a system error),
/// the case with `message` when given, else the first; `Err` says why there is none.
pub(crate) fn documented(method: &str, code: &str, message: Option<&str>) -> Result<Fault, String> {
    let case = crate::spec_table::table().documented(method, code, message)?;
    Ok(if case.in_result {
        Fault::ResultError {
            code: case.code,
            message: case.message,
        }
    } else {
        Fault::Error {
            status: case.status,
            code: case.code,
            message: case.message,
        }
    })
}

#[derive(Debug, Clone)]
struct Rule {
    fault: Fault,
    method: Option<String>,
    remaining: usize,
}

/// Pending faults, applied in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    rules: VecDeque<Rule>,
}

impl FaultQueue {
    /// Queues `fault` for the next `times` requests (of `method` only, when given).
    pub(crate) fn push(&mut self, fault: Fault, times: usize, method: Option<&str>) {
        if times == 0 {
            return;
        }
        self.rules.push_back(Rule {
            fault,
            method: method.map(normalize_method),
            remaining: times,
        });
    }

    /// Drops every pending fault.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Takes the fault for a request to `method`, if one is pending.
    pub(crate) fn take(&mut self, method: &str) -> Option<Fault> {
        let method = normalize_method(method);
        let pos = self.rules.iter().position(|r| match r.method.as_deref() {
            None => true,
            Some(m) => m == method,
        })?;
        let rule = self.rules.get_mut(pos)?;
        let fault = rule.fault.clone();
        rule.remaining -= 1;
        if rule.remaining == 0 {
            self.rules.remove(pos);
        }
        Some(fault)
    }
}

/// Lower-cases a method name and drops a `.json` suffix.
pub(crate) fn normalize_method(m: &str) -> String {
    let m = m.trim().to_ascii_lowercase();
    m.strip_suffix(".json").map(str::to_owned).unwrap_or(m)
}

/// The body of an nginx `502 Bad Gateway` page.
pub(crate) const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Cuts a JSON body roughly in half (at least one byte is dropped), keeping
/// the cut on a character boundary.
pub(crate) fn truncate(body: &[u8]) -> Vec<u8> {
    if body.len() < 2 {
        return Vec::new();
    }
    let mut cut = (body.len() / 2).max(1);
    // Do not split a UTF-8 sequence: back up to a leading byte.
    while cut > 1 && (body[cut] & 0b1100_0000) == 0b1000_0000 {
        cut -= 1;
    }
    body[..cut].to_vec()
}

/// A fault request as sent to `POST /_emulator/fault`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRequest {
    /// `html502`, `truncated`, `delay`, `error` or `documented` (`method`'s documented error
    /// `code`, with its documented status and message; `message` picks one of several cases).
    pub fault: String,
    /// How many requests it applies to (default 1).
    #[serde(default)]
    pub times: Option<usize>,
    /// The delay for `delay`, in milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Apply only to requests of this method.
    #[serde(default)]
    pub method: Option<String>,
    /// For `error`: the HTTP status (default 400).
    #[serde(default)]
    pub status: Option<u16>,
    /// For `error`: the `error` code.
    #[serde(default)]
    pub code: Option<String>,
    /// For `error`: the `error_description` (default empty).
    #[serde(default)]
    pub message: Option<String>,
}

impl FaultRequest {
    /// The fault described, or a message saying what is wrong.
    pub(crate) fn to_fault(&self) -> Result<Fault, String> {
        match self.fault.to_ascii_lowercase().as_str() {
            "html502" | "html_502" | "502" => Ok(Fault::Html502),
            "truncated" | "truncate" => Ok(Fault::Truncated),
            "delay" => match self.delay_ms {
                Some(ms) => Ok(Fault::Delay(Duration::from_millis(ms))),
                None => Err("a delay fault needs delay_ms".to_owned()),
            },
            "error" => match (&self.code, self.status.unwrap_or(400)) {
                (Some(code), status @ 100..=599) if !code.is_empty() => Ok(Fault::Error {
                    status,
                    code: code.clone(),
                    message: self.message.clone().unwrap_or_default(),
                }),
                (Some(code), _) if !code.is_empty() => {
                    Err("status must be between 100 and 599".to_owned())
                }
                _ => Err("an error fault needs a non-empty code".to_owned()),
            },
            "documented" => match (&self.method, &self.code) {
                (Some(method), Some(code)) => documented(method, code, self.message.as_deref()),
                _ => Err("a documented fault needs a method and a code".to_owned()),
            },
            other => Err(format!(
                "unknown fault {other:?}; expected html502, truncated, delay, error or documented"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_order_and_method_filter() {
        let mut q = FaultQueue::default();
        q.push(Fault::Truncated, 1, Some("batch.json"));
        q.push(Fault::Html502, 2, None);
        assert_eq!(q.take("imopenlines.dialog.get"), Some(Fault::Html502));
        assert_eq!(q.take("BATCH"), Some(Fault::Truncated));
        assert_eq!(q.take("batch"), Some(Fault::Html502));
        assert_eq!(q.take("batch"), None);
    }

    #[test]
    fn documented_faults_take_the_spec_status_and_message() {
        let req = |code: &str| FaultRequest {
            fault: "documented".into(),
            times: None,
            delay_ms: None,
            method: Some("imopenlines.bot.session.finish".into()),
            status: None,
            code: Some(code.into()),
            message: None,
        };
        assert_eq!(
            req("WRONG_AUTH_TYPE").to_fault(),
            Ok(Fault::Error {
                status: 403,
                code: "WRONG_AUTH_TYPE".into(),
                message: "Access for this method not allowed by session authorization".into(),
            })
        );
        assert!(matches!(
            req("insufficient_scope").to_fault(),
            Ok(Fault::Error { status: 403, .. })
        ));
        assert!(req("NOT_DOCUMENTED").to_fault().is_err());
    }

    #[test]
    fn truncation_breaks_json() {
        let body = br#"{"result":true,"time":{"start":1}}"#;
        let cut = truncate(body);
        assert!(cut.len() < body.len() && !cut.is_empty());
        assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());
        let uni = "{\"r\":\"ééééé\"}".as_bytes();
        assert!(std::str::from_utf8(&truncate(uni)).is_ok());
    }
}
