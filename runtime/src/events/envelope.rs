//! The event envelope: `event`, `event_handler_id`, `ts`, `auth`, and `data` kept for a typed
//! decode.

use super::de::{from_form, FormDeserializer};
use super::redact::{
    form_message, form_secrets, is_secret_key, json_secrets, redact_json, withhold,
};
use super::reject::{self, Rejection};
use super::tree::FormValue;
use super::typed::TypedEvent;
use super::verify::{tokens_match, Portal};
use crate::__private::{lenient, lenient_object_opt};
use crate::Secret;
use std::fmt;

/// The `auth` block of an event: the generated [`crate::types::EventAuth`] (the spec's common
/// type `event_auth`, shared with the bots' own `AUTH` blocks inside v1 bot events). Its tokens
/// are [`Secret`]s: they never print. In a [`ReceivedEvent`] the application token has been
/// checked, and empty tokens are `None`.
pub use crate::types::EventAuth;

/// The fields of an `auth` block that are not secrets, as JSON (for logs).
pub fn auth_json_redacted(auth: &EventAuth) -> serde_json::Value {
    let mut v = serde_json::to_value(auth).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(m) = &mut v {
        m.retain(|k, _| !is_secret_key(k));
    }
    v
}

fn auth_secrets(auth: &EventAuth) -> impl Iterator<Item = &str> {
    [
        auth.application_token.as_ref(),
        auth.access_token.as_ref(),
        auth.refresh_token.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(Secret::expose)
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
        self.decode_by(extra, "", |d| T::deserialize(d), |v| T::deserialize(v))
    }

    /// Decodes with `form` (a form tree) or `json`; on failure, a [`Rejection::Payload`]
    /// starting with `what` and without any secret of the data or of `extra`.
    fn decode_by<'a, T>(
        &'a self,
        extra: &[&str],
        what: &str,
        form: impl FnOnce(FormDeserializer<'a>) -> Result<T, super::PayloadError>,
        json: impl FnOnce(&'a serde_json::Value) -> Result<T, serde_json::Error>,
    ) -> Result<T, Rejection> {
        let message = match self {
            EventData::Form(v) => match form(FormDeserializer::new(v)) {
                Ok(t) => return Ok(t),
                Err(e) => form_message(e),
            },
            EventData::Json(v) => match json(v) {
                Ok(t) => return Ok(t),
                Err(e) => e.to_string(),
            },
        };
        let mut secrets = extra.to_vec();
        self.collect_secrets(&mut secrets);
        Err(Rejection::Payload(format!(
            "{what}{}",
            withhold(message, &secrets)
        )))
    }

    /// Decodes the data of the event named `name` into a [`TypedEvent`] such as
    /// `bitrix_api::Event` (see [`ReceivedEvent::typed`]).
    pub fn decode_event<E: TypedEvent>(&self, name: &str) -> Result<E, Rejection> {
        self.decode_by(
            &[],
            &format!("{}: ", reject::clip(name)),
            |d| E::decode(name, d),
            |v| E::decode(name, v),
        )
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
        let own: Vec<&str> = auth_secrets(&self.auth).collect();
        self.data.decode_withholding(&own)
    }

    /// Decodes `data` into a [`TypedEvent`], chosen by the event's name. With
    /// `bitrix_api::Event` (`let event: Event = received.typed()?`): a payload struct for an
    /// event this build types (per the module's cargo feature), `Event::Unknown` with the data
    /// as JSON otherwise. A payload that breaks its type is a [`Rejection::Payload`] naming
    /// the event, without secrets.
    pub fn typed<E: TypedEvent>(&self) -> Result<E, Rejection> {
        let own: Vec<&str> = auth_secrets(&self.auth).collect();
        let name = self.event.as_str();
        self.data.decode_by(
            &own,
            &format!("{}: ", reject::clip(name)),
            |d| E::decode(name, d),
            |v| E::decode(name, v),
        )
    }

    /// The event as JSON without its secrets: `event`, `event_handler_id`, `ts`, `auth` without
    /// tokens, and `data` with the values of secret-named keys redacted. For logs.
    pub fn to_json_redacted(&self) -> serde_json::Value {
        serde_json::json!({
            "event": self.event,
            "event_handler_id": self.event_handler_id,
            "ts": self.ts,
            "auth": auth_json_redacted(&self.auth),
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
        let t = self
            .head
            .auth
            .as_ref()?
            .application_token
            .as_ref()?
            .expose();
        (!t.is_empty()).then_some(t)
    }

    /// Hands the event over checked against the token it brings itself: only for
    /// `ONAPPINSTALL`, which is where the application learns the token (the installer confirms
    /// the portal with the OAuth server instead).
    pub(crate) fn trust_own_token(self) -> Result<ReceivedEvent, Rejection> {
        let own = self.token().map(Secret::new);
        self.verify(own.as_ref())
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
        let mut auth = auth.unwrap_or_else(EventAuth::new);
        let nonempty = |t: Option<Secret>| t.filter(|t| !t.expose().is_empty());
        auth.access_token = nonempty(auth.access_token.take());
        auth.refresh_token = nonempty(auth.refresh_token.take());
        Ok(ReceivedEvent {
            event,
            event_handler_id,
            ts,
            auth,
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
    auth: Option<EventAuth>,
}

struct Head {
    event: String,
    event_handler_id: Option<i64>,
    ts: Option<i64>,
    auth: Option<EventAuth>,
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
