//! `ONAPPUNINSTALL`: the application was removed from a portal.

use super::InstallError;
use crate::__private::lenient;
use crate::events::{self, AppTokens, Limits, ReceivedEvent};
use serde::Deserialize;

/// An `ONAPPUNINSTALL` whose application token matched the portal's. The portal has already
/// revoked the application's tokens: drop them, and drop the portal's data too when
/// [`clean`](Self::clean) says so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Uninstall {
    /// The portal's unique id (`auth[member_id]`).
    pub member_id: Option<String>,
    /// The portal's address (`auth[domain]`).
    pub domain: Option<String>,
    /// `data[CLEAN]`: whether the user asked to delete the application's data.
    pub clean: bool,
    /// `data[LANGUAGE_ID]`.
    pub language: Option<String>,
}

impl Uninstall {
    /// Reads a received (token-checked) event, which must be `ONAPPUNINSTALL`.
    pub fn from_event(event: &ReceivedEvent) -> Result<Uninstall, InstallError> {
        if !event.event.eq_ignore_ascii_case("ONAPPUNINSTALL") {
            return Err(InstallError::WrongEvent(event.event.clone()));
        }
        let data: UninstallData = event.decode()?;
        Ok(Uninstall {
            member_id: event.auth.member_id.clone().filter(|m| !m.is_empty()),
            domain: event.auth.domain.clone().filter(|d| !d.is_empty()),
            clean: data.clean == Some(1),
            language: data.language_id.filter(|l| !l.is_empty()),
        })
    }
}

/// Checks an `ONAPPUNINSTALL` body against the portal's stored application token
/// ([`events::receive`]) and reads it.
pub async fn uninstall<T: AppTokens>(
    content_type: &str,
    body: &[u8],
    limits: &Limits,
    tokens: &T,
) -> Result<Uninstall, InstallError> {
    let event = events::receive(content_type, body, limits, tokens).await?;
    Uninstall::from_event(&event)
}

#[derive(Deserialize)]
struct UninstallData {
    #[serde(rename = "CLEAN", default, deserialize_with = "lenient")]
    clean: Option<i64>,
    #[serde(rename = "LANGUAGE_ID", default, deserialize_with = "lenient")]
    language_id: Option<String>,
}
