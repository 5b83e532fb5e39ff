//! Support for the generated code: lenient decoding, pre-send checks, wire forms.
//! Not a public API: names here may change in any release.

use crate::error::Problem;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serializer;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The kind of authorisation a client uses; pre-send checks depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// Incoming webhook.
    Webhook,
    /// OAuth access token.
    OAuth,
}

/// Collects the problems of a request before it is sent.
#[derive(Debug)]
pub struct Checker {
    auth: AuthKind,
    path: Vec<String>,
    problems: Vec<Problem>,
}

impl Checker {
    /// A checker for calls made with `auth`.
    pub fn new(auth: AuthKind) -> Self {
        Checker {
            auth,
            path: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The problems found.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    fn push(&mut self, name: &str, message: String) {
        let mut param = self.path.join(".");
        if !param.is_empty() && !name.starts_with('[') {
            param.push('.');
        }
        param.push_str(name);
        self.problems.push(Problem { param, message });
    }

    /// A param required only over webhooks.
    pub fn webhook_required(&mut self, name: &str, present: bool) {
        if self.auth == AuthKind::Webhook && !present {
            self.push(name, "is required when calling through a webhook".into());
        }
    }

    /// An integer within documented bounds.
    pub fn int_range(&mut self, name: &str, v: Option<i64>, min: Option<i64>, max: Option<i64>) {
        let Some(v) = v else { return };
        if let Some(lo) = min.filter(|lo| v < *lo) {
            self.push(name, format!("must be at least {lo}, got {v}"));
        }
        if let Some(hi) = max.filter(|hi| v > *hi) {
            self.push(name, format!("must be at most {hi}, got {v}"));
        }
    }

    /// A number within documented bounds.
    pub fn float_range(&mut self, name: &str, v: Option<f64>, min: Option<i64>, max: Option<i64>) {
        let Some(v) = v else { return };
        if let Some(lo) = min.filter(|lo| v < *lo as f64) {
            self.push(name, format!("must be at least {lo}, got {v}"));
        }
        if let Some(hi) = max.filter(|hi| v > *hi as f64) {
            self.push(name, format!("must be at most {hi}, got {v}"));
        }
    }

    /// A text within its documented length, in characters.
    pub fn max_length(&mut self, name: &str, v: Option<&str>, max: u32) {
        let Some(v) = v else { return };
        let n = v.chars().count();
        if n > max as usize {
            self.push(name, format!("must be at most {max} characters, got {n}"));
        }
    }

    /// A param required when a sibling has a given value.
    pub fn required_if(
        &mut self,
        name: &str,
        present: bool,
        other: &str,
        value: &str,
        actual: Option<String>,
    ) {
        if !present && actual.as_deref() == Some(value) {
            self.push(name, format!("is required when {other} is {value}"));
        }
    }

    /// A collection within its documented number of items.
    pub fn max_items(&mut self, name: &str, len: Option<usize>, max: u32) {
        let Some(n) = len else { return };
        if n > max as usize {
            self.push(name, format!("must have at most {max} items, got {n}"));
        }
    }

    /// At least one of a group of optional params must be given.
    pub fn one_of(&mut self, names: &[&str], present: &[bool]) {
        if !present.iter().any(|p| *p) {
            self.push(
                &names.join(", "),
                "at least one of these must be given".into(),
            );
        }
    }

    /// Checks a nested object under `name`.
    pub fn nested(&mut self, name: &str, f: impl FnOnce(&mut Checker)) {
        self.path.push(name.to_string());
        f(self);
        self.path.pop();
    }

    /// Checks item `i` of an array of objects under `name`.
    pub fn nested_index(&mut self, name: &str, i: usize, f: impl FnOnce(&mut Checker)) {
        self.path.push(format!("{name}[{i}]"));
        f(self);
        self.path.pop();
    }
}

/// Pre-send checks of a generated param object.
pub trait Check {
    /// Reports the object's problems to `c`.
    fn check(&self, c: &mut Checker);
}

/// Shows `<redacted>` for a secret field in `Debug`.
pub struct Redacted<'a, T>(pub &'a T);

impl<T> fmt::Debug for Redacted<'_, Option<T>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(<redacted>)"),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for Redacted<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The error a result reports in its `error` / `error_description` fields, if any.
pub fn result_error(code: Option<&str>, description: Option<&str>) -> Option<crate::ApiError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty())?;
    Some(crate::ApiError {
        code: code.to_string(),
        description: description.unwrap_or("").to_string(),
        status: 200,
    })
}

/// A param's value as sent, as text (`None` when unset or not a scalar).
pub fn wire_value<T: serde::Serialize + ?Sized>(v: &T) -> Option<String> {
    match serde_json::to_value(v).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sends a boolean as `Y` / `N`.
pub fn ser_yn<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *v { "Y" } else { "N" })
}

/// Sends an optional boolean as `Y` / `N`.
pub fn ser_opt_yn<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => ser_yn(b, s),
        None => s.serialize_none(),
    }
}

/// Sends a boolean as `1` / `0`.
pub fn ser_int<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*v))
}

/// Sends an optional boolean as `1` / `0`.
pub fn ser_opt_int<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => ser_int(b, s),
        None => s.serialize_none(),
    }
}

/// A string enumeration with a fallback variant.
pub trait WireEnum: Sized {
    /// The wire value.
    fn as_wire(&self) -> &str;
    /// The variant of a wire value (`Other` when unknown).
    fn from_wire(s: &str) -> Self;
}

/// Serde, `Display`, `From<&str>` and lenient decoding for a [`WireEnum`].
#[allow(unused_macros)] // unused when no namespace feature is enabled
macro_rules! wire_enum {
    ($t:ty) => {
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(crate::__private::WireEnum::as_wire(self))
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <Self as crate::__private::Lenient>::lenient(d)
            }
        }
        impl crate::__private::Lenient for $t {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s: ::std::string::String = crate::__private::Lenient::lenient(d)?;
                Ok(<Self as crate::__private::WireEnum>::from_wire(&s))
            }
        }
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(crate::__private::WireEnum::as_wire(self))
            }
        }
        impl ::std::convert::From<&str> for $t {
            fn from(s: &str) -> Self {
                <Self as crate::__private::WireEnum>::from_wire(s)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use wire_enum;

/// `Display` and `std::error::Error` for a generated error enum.
macro_rules! method_error {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(crate::MethodError::api_error(self), f)
            }
        }
        impl ::std::error::Error for $t {}
    };
}
pub(crate) use method_error;

/// A type that decodes from the loose JSON Bitrix24 sends: numbers as strings, booleans as
/// `Y`/`N`/`1`/`0`, empty objects as `[]`, `false` or `""` for nothing.
pub trait Lenient: Sized {
    /// Decodes a value.
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;

    /// Decodes a value that may be absent (`null`, and for scalars `""` or `false`).
    fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_option(OptVisitor(PhantomData))
    }
}

/// `deserialize_with` target for every generated result field.
pub fn lenient<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<T, D::Error> {
    T::lenient(d)
}

/// `null` (and a missing value) decode as "nothing" in every lenient visitor.
macro_rules! absent_is_none {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

/// Decodes a generated object, reading `[]` as an empty object.
pub fn lenient_object<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    match d.deserialize_any(ObjectV(PhantomData))? {
        Some(v) => Ok(v),
        None => Err(de::Error::custom("expected an object, found nothing")),
    }
}

/// Decodes an optional generated object: `null`, `false` and `""` are nothing; `[]` is empty.
pub fn lenient_object_opt<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ObjectV(PhantomData))
}

/// Reads an object straight from the input (no buffering); `[]` is an empty object.
struct ObjectV<T>(PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for ObjectV<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let empty = de::value::MapDeserializer::<_, A::Error>::new(std::iter::empty::<((), ())>());
        T::deserialize(empty).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(E::invalid_type(de::Unexpected::Bool(true), &self))
        } else {
            Ok(None)
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Ok(None)
        } else {
            Err(E::invalid_type(de::Unexpected::Str(v), &self))
        }
    }
    absent_is_none!();
}

trait DeserializeFrom: Sized {
    fn deserialize_from<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl DeserializeFrom for serde_json::Value {
    fn deserialize_from<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <serde_json::Value as serde::Deserialize>::deserialize(d)
    }
}

struct OptVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for OptVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::lenient(d).map(Some)
    }
}

impl<T: Lenient> Lenient for Option<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::lenient_opt(d)
    }
}

/// Scalars decode through one visitor that yields `None` for the forms meaning "nothing".
macro_rules! scalar {
    ($t:ty, $visitor:ident) => {
        impl Lenient for $t {
            fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match d.deserialize_any($visitor)? {
                    Some(v) => Ok(v),
                    None => Err(de::Error::custom(concat!(
                        "expected ",
                        stringify!($t),
                        ", found nothing"
                    ))),
                }
            }
            fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                d.deserialize_any($visitor)
            }
        }
    };
}

struct IntV;
impl<'de> Visitor<'de> for IntV {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("expected an integer, found {v}")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Some(i));
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format!("expected an integer, found {v:?}"))),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        // PHP answers `false` for "no value".
        if v {
            Err(E::custom("expected an integer, found true"))
        } else {
            Ok(None)
        }
    }
    absent_is_none!();
}
scalar!(i64, IntV);

struct FloatV;
impl<'de> Visitor<'de> for FloatV {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<f64>()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a number, found {v:?}")))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(E::custom("expected a number, found true"))
        } else {
            Ok(None)
        }
    }
    absent_is_none!();
}
scalar!(f64, FloatV);

struct BoolV;
impl<'de> Visitor<'de> for BoolV {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, Y/N, 1/0 or true/false")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::custom(format!("expected a boolean, found {v}"))),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v.trim() {
            "Y" | "y" | "1" | "true" | "TRUE" | "True" => Ok(Some(true)),
            "N" | "n" | "0" | "false" | "FALSE" | "False" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(E::custom(format!("expected a boolean, found {v:?}"))),
        }
    }
    absent_is_none!();
}
scalar!(bool, BoolV);

struct StrV;
impl<'de> Visitor<'de> for StrV {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Ok(Some("true".into()))
        } else {
            Ok(None)
        }
    }
    absent_is_none!();
}

impl Lenient for String {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A required string that is null or false is read as empty rather than failing the call.
        Ok(d.deserialize_any(StrV)?.unwrap_or_default())
    }
    fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(StrV)
    }
}

impl Lenient for serde_json::Value {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize_from(d)
    }
}

/// Decodes one value leniently, as a `DeserializeSeed` (used by the generated visitors).
pub struct Seed<T>(PhantomData<T>);

impl<T> Seed<T> {
    /// The seed for `T`.
    pub fn new() -> Self {
        Seed(PhantomData)
    }
}

impl<T> Default for Seed<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A required field's value, or serde's missing-field error.
pub fn required<T, E: de::Error>(v: Option<T>, name: &'static str) -> Result<T, E> {
    v.ok_or_else(|| E::missing_field(name))
}

/// An object key, borrowed from the input when it can be.
pub enum Key<'de> {
    /// Borrowed from the input.
    Borrowed(&'de str),
    /// Copied (the input had escapes, or was not a borrowed buffer).
    Owned(String),
}

impl Key<'_> {
    /// The key text.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyV;
        impl<'de> Visitor<'de> for KeyV {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
        }
        d.deserialize_identifier(KeyV)
    }
}

impl<'de, T: Lenient> DeserializeSeed<'de> for Seed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::lenient(d)
    }
}

struct VecV<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for VecV<T> {
    type Value = Option<Vec<T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array, or an object whose values are the items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(Seed::<T>::new())? {
            out.push(v);
        }
        Ok(Some(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // PHP sends a list with gaps as an object keyed by index.
        let mut out = Vec::new();
        while let Some((_, v)) =
            map.next_entry_seed(PhantomData::<de::IgnoredAny>, Seed::<T>::new())?
        {
            out.push(v);
        }
        Ok(Some(out))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(E::custom("expected an array, found true"))
        } else {
            Ok(None)
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Ok(None)
        } else {
            Err(E::custom(format!("expected an array, found {v:?}")))
        }
    }
    absent_is_none!();
}

impl<T: Lenient> Lenient for Vec<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(d.deserialize_any(VecV(PhantomData))?.unwrap_or_default())
    }
    fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(VecV(PhantomData))
    }
}

struct MapV<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for MapV<T> {
    type Value = Option<BTreeMap<String, T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry_seed(Seed::<String>::new(), Seed::<T>::new())? {
            out.insert(k, v);
        }
        Ok(Some(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // PHP sends an empty (or index-keyed) object as a list.
        let mut out = BTreeMap::new();
        let mut i = 0usize;
        while let Some(v) = seq.next_element_seed(Seed::<T>::new())? {
            out.insert(i.to_string(), v);
            i += 1;
        }
        Ok(Some(out))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(E::custom("expected an object, found true"))
        } else {
            Ok(None)
        }
    }
    absent_is_none!();
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(d.deserialize_any(MapV(PhantomData))?.unwrap_or_default())
    }
    fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(MapV(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de<T: Lenient>(json: &str) -> Result<T, serde_json::Error> {
        T::lenient(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn integers_from_numbers_and_strings() {
        assert_eq!(de::<i64>("12").unwrap(), 12);
        assert_eq!(de::<i64>("\"12\"").unwrap(), 12);
        assert_eq!(de::<i64>("12.0").unwrap(), 12);
        assert!(de::<i64>("12.5").is_err());
        assert!(de::<i64>("\"x\"").is_err());
        assert_eq!(de::<Option<i64>>("\"\"").unwrap(), None);
        assert_eq!(de::<Option<i64>>("null").unwrap(), None);
        assert_eq!(de::<Option<i64>>("false").unwrap(), None);
    }

    #[test]
    fn booleans_in_every_form() {
        for t in ["true", "\"Y\"", "1", "\"1\"", "\"true\""] {
            assert!(de::<bool>(t).unwrap(), "{t}");
        }
        for f in ["false", "\"N\"", "0", "\"0\""] {
            assert!(!de::<bool>(f).unwrap(), "{f}");
        }
        assert!(de::<bool>("2").is_err());
        assert!(de::<bool>("\"maybe\"").is_err());
    }

    #[test]
    fn strings_collections_and_maps() {
        assert_eq!(de::<String>("5").unwrap(), "5");
        assert_eq!(de::<Vec<i64>>("[\"1\", 2]").unwrap(), vec![1, 2]);
        assert_eq!(de::<Vec<i64>>("{\"0\": 1, \"2\": 3}").unwrap(), vec![1, 3]);
        assert_eq!(de::<BTreeMap<String, i64>>("[]").unwrap(), BTreeMap::new());
        assert_eq!(de::<Option<Vec<i64>>>("null").unwrap(), None);
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Obj {
        #[serde(default, deserialize_with = "lenient")]
        a: Option<i64>,
    }

    #[test]
    fn objects_read_without_buffering_and_accept_php_empties() {
        let obj = |j: &str| lenient_object::<_, Obj>(&mut serde_json::Deserializer::from_str(j));
        let opt =
            |j: &str| lenient_object_opt::<_, Obj>(&mut serde_json::Deserializer::from_str(j));
        assert_eq!(obj(r#"{"a":"7","b":[1]}"#).unwrap(), Obj { a: Some(7) });
        assert_eq!(obj("[]").unwrap(), Obj { a: None });
        assert!(obj("[1]").is_err(), "a list is not an object");
        assert!(obj("null").is_err());
        assert_eq!(opt("false").unwrap(), None);
        assert_eq!(opt("null").unwrap(), None);
        assert_eq!(opt(r#"{"a":1}"#).unwrap(), Some(Obj { a: Some(1) }));
    }

    #[test]
    fn checker_paths_and_rules() {
        let mut c = Checker::new(AuthKind::Webhook);
        c.int_range("CHAT_ID", Some(0), Some(1), None);
        c.webhook_required("CLIENT_ID", false);
        c.nested("fields", |c| c.max_length("botToken", Some("abcdef"), 3));
        c.nested_index("ITEMS", 2, |c| c.int_range("ID", Some(9), None, Some(5)));
        c.nested("PROPERTIES", |c| {
            c.one_of(&["NAME", "LAST_NAME"], &[false, false])
        });
        c.one_of(&["A", "B"], &[false, true]);
        let p: Vec<String> = c.into_problems().into_iter().map(|p| p.param).collect();
        assert_eq!(
            p,
            [
                "CHAT_ID",
                "CLIENT_ID",
                "fields.botToken",
                "ITEMS[2].ID",
                "PROPERTIES.NAME, LAST_NAME"
            ]
        );
        let mut c = Checker::new(AuthKind::OAuth);
        c.webhook_required("CLIENT_ID", false);
        assert!(c.into_problems().is_empty());
    }
}
