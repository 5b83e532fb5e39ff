//! Why an install or uninstall request was not accepted.

use crate::error::AuthError;
use crate::events::Rejection;
use std::fmt;

/// Why an install request (installation callback, install wizard, `ONAPPINSTALL`) or an
/// `ONAPPUNINSTALL` was not accepted. `Display` and `Debug` never show a token, a code or the
/// client secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum InstallError {
    /// The body was refused before it was read as an install: content type, size, nesting,
    /// encoding, or (for `ONAPPUNINSTALL`) a missing or wrong application token.
    Rejected(Rejection),
    /// An event other than the one expected (its name).
    WrongEvent(String),
    /// A field the request must have is missing or empty (its name).
    Missing(&'static str),
    /// The OAuth server did not confirm the tokens (refused, unreachable, or an undecodable
    /// answer).
    Auth(AuthError),
    /// The OAuth server confirmed the tokens for another portal than the request named: the
    /// named field (`member_id` or `domain`) differs.
    PortalMismatch(&'static str),
    /// Two records of different portals cannot be merged.
    DifferentPortal,
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallError::Rejected(r) => write!(f, "the request was refused: {r}"),
            InstallError::WrongEvent(name) => {
                write!(f, "the event {:?} is not the one expected here", clip(name))
            }
            InstallError::Missing(field) => write!(f, "the request has no {field}"),
            InstallError::Auth(_) => f.write_str("the OAuth server did not confirm the tokens"),
            InstallError::PortalMismatch(field) => write!(
                f,
                "the OAuth server confirmed the tokens for a portal with another {field}"
            ),
            InstallError::DifferentPortal => f.write_str("the records belong to different portals"),
        }
    }
}

impl std::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InstallError::Rejected(r) => Some(r),
            InstallError::Auth(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Rejection> for InstallError {
    fn from(r: Rejection) -> Self {
        InstallError::Rejected(r)
    }
}

impl From<AuthError> for InstallError {
    fn from(e: AuthError) -> Self {
        InstallError::Auth(e)
    }
}

/// Shortens a name taken from a request before it goes into a message.
fn clip(s: &str) -> String {
    s.chars().take(100).collect()
}
