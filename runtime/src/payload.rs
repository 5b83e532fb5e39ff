//! The trait every generated event payload implements.

use crate::Scope;

/// The typed `data` of one event the portal sends (`ONIMBOTMESSAGEADD`, `ONAPPINSTALL`, …).
///
/// Implemented by every generated payload struct; `bitrix_api::Event` holds any of them.
pub trait EventPayload: crate::__private::Lenient {
    /// The wire name, as the portal sends it in `event`.
    const NAME: &'static str;
    /// The scopes an application needs to subscribe to it.
    const SCOPES: &'static [Scope];
}
