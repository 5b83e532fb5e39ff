//! Lenient decoding of the loose JSON Bitrix24 sends (numbers as strings, `Y`/`N`, `[]` for
//! an empty object, `false` or `""` for nothing), used by every generated result type.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

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

/// Reads the next map value leniently into a field's slot (a repeated key keeps the last value,
/// as serde's derive does). Generated visitors call it once per field, so each field costs one
/// plain call instead of its own `?` and seed expression.
pub fn read_field<'de, A: MapAccess<'de>, T: Lenient>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value_seed(Seed::<T>::new())?);
    Ok(())
}

/// Skips the next map value (a key the struct does not know).
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
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
}
