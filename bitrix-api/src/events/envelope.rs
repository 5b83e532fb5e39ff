//! The event envelope: `event`, `event_handler_id`, `ts`, `auth`, and `data` kept for a typed
//! decode.

use super::de::from_form;
use super::redact::{form_message, form_secrets, json_secrets, redact_json, withhold};
use super::reject::Rejection;
use super::tree::FormValue;
use super::verify::{tokens_match, Portal};
use crate::__private::{lenient, lenient_object_opt};
use crate::Secret;
use std::fmt;

/// The `auth` block of an event: the portal it comes from and, when the event could be tied
/// to a user, that user's OAuth tokens. Tokens are [`Secret`]s: they never print.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventAuth {
    /// `application_token`: proves the event comes from the portal (already checked).
    pub application_token: Secret,
    /// `access_token`: an OAuth token for calls back, when the event was tied to a user.
    pub access_token: Option<Secret>,
    /// `refresh_token`: renews `access_token`.
    pub refresh_token: Option<Secret>,
    /// `member_id`: the portal's unique id.
    pub member_id: Option<String>,
    /// `domain`: the portal's address.
    pub domain: Option<String>,
    /// `client_endpoint`: the base URL for REST calls to the portal.
    pub client_endpoint: Option<String>,
    /// `server_endpoint`: the OAuth server's URL.
    pub server_endpoint: Option<String>,
    /// `expires`: Unix time at which `access_token` expires.
    pub expires: Option<i64>,
    /// `expires_in`: lifetime of `access_token`, in seconds.
    pub expires_in: Option<i64>,
    /// `scope`: the scope(s) of the application (space- or comma-separated).
    pub scope: Option<String>,
    /// `user_id`: the user the tokens belong to.
    pub user_id: Option<i64>,
    /// `status`: the application's status on the portal (`L` local, `F` free, `D` demo,
    /// `T` trial, `P` paid).
    pub status: Option<String>,
}

impl EventAuth {
    /// The fields that are not secrets, as JSON.
    pub fn to_json_redacted(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            if !v.is_null() {
                m.insert(k.to_string(), v);
            }
        };
        put("member_id", self.member_id.clone().into());
        put("domain", self.domain.clone().into());
        put("client_endpoint", self.client_endpoint.clone().into());
        put("server_endpoint", self.server_endpoint.clone().into());
        put("expires", self.expires.into());
        put("expires_in", self.expires_in.into());
        put("scope", self.scope.clone().into());
        put("user_id", self.user_id.into());
        put("status", self.status.clone().into());
        serde_json::Value::Object(m)
    }

    fn secrets(&self) -> impl Iterator<Item = &str> {
        [
            Some(&self.application_token),
            self.access_token.as_ref(),
            self.refresh_token.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(Secret::expose)
    }
}

/// An event's `data`, as received: a form tree (webhook delivery) or JSON (fetch mode, tests).
/// `Debug` withholds the values of keys that name secrets (the bots' tokens travel in `data`).
#[derive(Clone, PartialEq)]
pub enum EventData {
    /// From an `application/x-www-form-urlencoded` body: every scalar is text.
    Form(FormValue),
    /// From JSON, with its real types.
    Json(serde_json::Value),
}

impl EventData {
    /// Decodes the data into a payload type. Form text feeds the type's own decoding: numbers
    /// and booleans are read from strings, `""` is absent for `Option`s, maps keyed `0..n-1`
    /// read as lists (see [`FormDeserializer`](super::FormDeserializer)). The error never
    /// holds a secret's value.
    pub fn decode<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, Rejection> {
        self.decode_withholding(&[])
    }

    fn decode_withholding<'a, T: serde::Deserialize<'a>>(
        &'a self,
        extra: &[&str],
    ) -> Result<T, Rejection> {
        let message = match self {
            EventData::Form(v) => match from_form::<T>(v) {
                Ok(t) => return Ok(t),
                Err(e) => form_message(e),
            },
            EventData::Json(v) => match T::deserialize(v) {
                Ok(t) => return Ok(t),
                Err(e) => e.to_string(),
            },
        };
        let mut secrets = extra.to_vec();
        self.collect_secrets(&mut secrets);
        Err(Rejection::Payload(withhold(message, &secrets)))
    }

    /// As JSON (a form tree the way PHP's `json_encode` writes it); with `redact`, the values
    /// of keys that name secrets become `"<redacted>"`.
    pub fn to_json(&self, redact: bool) -> serde_json::Value {
        match self {
            EventData::Form(v) => v.to_json(redact),
            EventData::Json(v) if redact => redact_json(v),
            EventData::Json(v) => v.clone(),
        }
    }

    fn collect_secrets<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            EventData::Form(v) => form_secrets(v, false, out),
            EventData::Json(v) => json_secrets(v, false, out),
        }
    }
}

impl From<serde_json::Value> for EventData {
    fn from(v: serde_json::Value) -> Self {
        EventData::Json(v)
    }
}

impl fmt::Debug for EventData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventData::Form(v) => f.debug_tuple("Form").field(v).finish(),
            EventData::Json(v) => f.debug_tuple("Json").field(&redact_json(v)).finish(),
        }
    }
}

/// A received event whose application token has been checked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedEvent {
    /// `event`: the event's name as sent (`ONIMBOTMESSAGEADD`, `OnOpenLineMessageAdd`, …).
    pub event: String,
    /// `event_handler_id`: the subscription that fired.
    pub event_handler_id: Option<i64>,
    /// `ts`: Unix time at which the portal sent the event.
    pub ts: Option<i64>,
    /// `auth`: the portal and the tokens.
    pub auth: EventAuth,
    /// `data`: the event's payload, for [`decode`](Self::decode).
    pub data: EventData,
}

impl ReceivedEvent {
    /// Decodes `data` into a payload type (see [`EventData::decode`]); the error withholds
    /// the event's tokens too.
    pub fn decode<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, Rejection> {
        let own: Vec<&str> = self.auth.secrets().collect();
        self.data.decode_withholding(&own)
    }

    /// The event as JSON without its secrets: `event`, `event_handler_id`, `ts`, `auth` without
    /// tokens, and `data` with the values of secret-named keys redacted. For logs.
    pub fn to_json_redacted(&self) -> serde_json::Value {
        serde_json::json!({
            "event": self.event,
            "event_handler_id": self.event_handler_id,
            "ts": self.ts,
            "auth": self.auth.to_json_redacted(),
            "data": self.data.to_json(true),
        })
    }
}

/// A parsed event whose application token has not been checked yet: look up the token its
/// [`portal`](Self::portal) should send, then [`verify`](Self::verify).
#[derive(Debug)]
pub struct Unverified {
    head: Head,
    data: EventData,
}

impl Unverified {
    /// The event's name.
    pub fn event(&self) -> &str {
        &self.head.event
    }

    /// The portal the event names.
    pub fn portal(&self) -> Portal<'_> {
        let auth = self.head.auth.as_ref();
        Portal {
            member_id: auth.and_then(|a| a.member_id.as_deref()),
            domain: auth.and_then(|a| a.domain.as_deref()),
        }
    }

    /// Whether the event carries a (non-empty) application token.
    pub fn has_token(&self) -> bool {
        self.token().is_some()
    }

    fn token(&self) -> Option<&str> {
        let t = self.head.auth.as_ref()?.application_token.as_deref()?;
        (!t.is_empty()).then_some(t)
    }

    /// Checks the event's token against `expected` (`None`: the portal is unknown) in constant
    /// time, and hands the event over when they match.
    pub fn verify(self, expected: Option<&Secret>) -> Result<ReceivedEvent, Rejection> {
        let Some(token) = self.token() else {
            return Err(Rejection::MissingToken);
        };
        let Some(expected) = expected.filter(|e| !e.expose().is_empty()) else {
            return Err(Rejection::UnknownPortal);
        };
        if !tokens_match(token.as_bytes(), expected.expose().as_bytes()) {
            return Err(Rejection::WrongToken);
        }
        let Head {
            event,
            event_handler_id,
            ts,
            auth,
        } = self.head;
        let a = auth.unwrap_or_default();
        Ok(ReceivedEvent {
            event,
            event_handler_id,
            ts,
            auth: EventAuth {
                application_token: a
                    .application_token
                    .map(Secret::new)
                    .unwrap_or_else(|| Secret::new("")),
                access_token: a.access_token.filter(|t| !t.is_empty()).map(Secret::new),
                refresh_token: a.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
                member_id: a.member_id,
                domain: a.domain,
                client_endpoint: a.client_endpoint,
                server_endpoint: a.server_endpoint,
                expires: a.expires,
                expires_in: a.expires_in,
                scope: a.scope,
                user_id: a.user_id,
                status: a.status,
            },
            data: self.data,
        })
    }
}

/// Everything of the envelope but `data`, read leniently (numbers may be strings).
#[derive(serde::Deserialize)]
struct RawHead {
    #[serde(default, deserialize_with = "lenient")]
    event: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    event_handler_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    ts: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object_opt")]
    auth: Option<RawAuth>,
}

#[derive(serde::Deserialize, Default)]
struct RawAuth {
    #[serde(default, deserialize_with = "lenient")]
    application_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    member_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    domain: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    client_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    server_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    expires: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    status: Option<String>,
}

struct Head {
    event: String,
    event_handler_id: Option<i64>,
    ts: Option<i64>,
    auth: Option<RawAuth>,
}

impl fmt::Debug for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Head")
            .field("event", &self.event)
            .field("event_handler_id", &self.event_handler_id)
            .field("ts", &self.ts)
            .finish_non_exhaustive()
    }
}

impl Unverified {
    /// Joins a head (read by `head_from_form` / `head_from_json` from what is left once `data`
    /// is taken out) and the data; refuses a body without `event`.
    pub(crate) fn from_parts(
        head: Result<RawHeadParts, String>,
        data: EventData,
    ) -> Result<Unverified, Rejection> {
        let raw =
            head.map_err(|why| Rejection::MalformedEncoding(format!("the envelope: {why}")))?;
        let event = raw
            .0
            .event
            .filter(|e| !e.trim().is_empty())
            .ok_or(Rejection::NotAnEvent)?;
        Ok(Unverified {
            head: Head {
                event,
                event_handler_id: raw.0.event_handler_id,
                ts: raw.0.ts,
                auth: raw.0.auth,
            },
            data,
        })
    }
}

/// The decoded head of an envelope (opaque outside this module).
pub(crate) struct RawHeadParts(RawHead);

/// Reads the head from a form tree (with `data` already taken out).
pub(crate) fn head_from_form(rest: &FormValue) -> Result<RawHeadParts, String> {
    from_form::<RawHead>(rest)
        .map(RawHeadParts)
        .map_err(|e| withhold_head(e.to_string(), rest))
}

/// Reads the head from JSON (with `data` already taken out).
pub(crate) fn head_from_json(rest: &serde_json::Value) -> Result<RawHeadParts, String> {
    <RawHead as serde::Deserialize>::deserialize(rest)
        .map(RawHeadParts)
        .map_err(|e| {
            let mut secrets = Vec::new();
            json_secrets(rest, false, &mut secrets);
            withhold(e.to_string(), &secrets)
        })
}

fn withhold_head(message: String, rest: &FormValue) -> String {
    let mut secrets = Vec::new();
    form_secrets(rest, false, &mut secrets);
    withhold(message, &secrets)
}
