//! The record of REST requests the emulator received.

use serde::Serialize;
use serde_json::Value;

use crate::auth::AuthKind;
use crate::faults::Fault;

/// One REST request as the emulator saw it (token endpoint and control
/// requests are not recorded; a `batch` is one entry).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedRequest {
    /// REST method, lower-cased, without a `.json` suffix (e.g. `batch`).
    pub method: String,
    /// HTTP verb (`POST`, `GET`, ...).
    pub http_method: String,
    /// How the request tried to authenticate.
    pub auth: AuthKind,
    /// The authenticated user, when authentication succeeded.
    pub user_id: Option<i64>,
    /// Merged query and body parameters, without `auth` and `sessid`.
    pub params: Value,
    /// HTTP status sent back.
    pub status: u16,
    /// The `error` code of the answer, if it was an error.
    pub error: Option<String>,
    /// The injected fault applied to this request, if any.
    #[serde(serialize_with = "fault_name")]
    pub fault: Option<Fault>,
}

fn fault_name<S: serde::Serializer>(f: &Option<Fault>, s: S) -> Result<S::Ok, S::Error> {
    match f {
        None => s.serialize_none(),
        Some(Fault::Html502) => s.serialize_str("html502"),
        Some(Fault::Truncated) => s.serialize_str("truncated"),
        Some(Fault::Delay(d)) => s.serialize_str(&format!("delay {}ms", d.as_millis())),
        Some(Fault::Error { status, code, .. }) => {
            s.serialize_str(&format!("error {status} {code}"))
        }
        Some(Fault::ResultError { code, .. }) => s.serialize_str(&format!("result error {code}")),
    }
}
