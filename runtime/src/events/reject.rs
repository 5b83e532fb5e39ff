//! Why a received event was refused.

use std::fmt;

/// Why a received body is not handed over as an event. Its `Display` and `Debug` never hold
/// the body's credentials: only sizes, limits, field numbers, the content type and, for a
/// payload, the path of the bad value and what was wrong with it (values under keys that name
/// secrets, and the event's own tokens, are withheld).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// No `auth[application_token]` (or it is empty).
    MissingToken,
    /// `auth[application_token]` differs from the one expected for the portal.
    WrongToken,
    /// The token registry knows no token for the portal named by `auth[member_id]` /
    /// `auth[domain]`.
    UnknownPortal,
    /// The token registry could not be asked (its message).
    TokenLookup(String),
    /// Neither `application/x-www-form-urlencoded` nor `application/json` (UTF-8).
    WrongContentType(String),
    /// The body is larger than the limit.
    BodyTooLarge {
        /// Its size, in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A field name or JSON value nests deeper than the limit.
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The form body has more fields than the limit.
    TooManyFields {
        /// The limit.
        limit: usize,
    },
    /// Bytes that are not UTF-8 once percent-decoded, or JSON that does not parse.
    MalformedEncoding(String),
    /// No `event` key: not a Bitrix24 event.
    NotAnEvent,
    /// The event's data does not decode into the payload type asked for.
    Payload(String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingToken => f.write_str("the event carries no application token"),
            Rejection::WrongToken => f.write_str("the event's application token is wrong"),
            Rejection::UnknownPortal => f.write_str("no application token is known for the portal"),
            Rejection::TokenLookup(e) => write!(f, "the application token could not be looked up: {e}"),
            Rejection::WrongContentType(ct) => write!(
                f,
                "content type {ct:?} is neither application/x-www-form-urlencoded nor application/json (UTF-8)"
            ),
            Rejection::BodyTooLarge { size, limit } => {
                write!(f, "the body has {size} bytes, more than the limit of {limit}")
            }
            Rejection::NestingTooDeep { limit } => {
                write!(f, "the body nests deeper than {limit} levels")
            }
            Rejection::TooManyFields { limit } => {
                write!(f, "the body has more than {limit} fields")
            }
            Rejection::MalformedEncoding(why) => write!(f, "the body is malformed: {why}"),
            Rejection::NotAnEvent => f.write_str("the body has no `event` key: not an event"),
            Rejection::Payload(why) => write!(f, "the event data does not decode: {why}"),
        }
    }
}

impl std::error::Error for Rejection {}

/// Shortens text taken from a request (a content type) before it goes into a message.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 100;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
