//! A serde `Deserializer` over a [`FormValue`] tree, so typed payloads decode from form bodies.
//!
//! Every leaf is text, so this deserializer reads types out of it on request:
//! - integers and floats parse from the text (surrounding spaces allowed); booleans read `1`,
//!   `Y`, `true` and `0`, `N`, `false`, `""` (any case of `y`/`n`/`true`/`false`);
//! - `Option`: an empty string is `None` (PHP writes `null` as `""`), anything else `Some`;
//!   a missing key is absent, so `#[serde(default)]` and `Option` fields stay unset;
//! - sequences read a map's values in order (`k[0]`, `k[1]`, … or any keys), and `""` as empty;
//!   maps and structs read a map, and `""` as empty;
//! - `deserialize_any` (untyped values, the lenient visitors of the generated types) sees a
//!   string for a leaf, a sequence for a map keyed `0..n-1` in order and a map otherwise;
//! - enums read a unit variant from a leaf, or a one-entry map `{variant: value}`.
//!
//! Errors carry the path of the value they concern (`[PARAMS][MESSAGE_ID]`).

use super::tree::{FormMap, FormValue};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;

/// A failure to decode a typed payload from a form tree: where, and what. The message may quote
/// the bad value; [`ReceivedEvent::decode`](super::ReceivedEvent::decode) withholds secrets from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    /// Keys from the root to the value, innermost last.
    pub path: Vec<String>,
    /// What went wrong.
    pub message: String,
}

impl PayloadError {
    fn within(mut self, key: &str) -> Self {
        self.path.insert(0, key.to_string());
        self
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.path {
            write!(f, "[{k}]")?;
        }
        if !self.path.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PayloadError {}

impl de::Error for PayloadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PayloadError {
            path: Vec::new(),
            message: msg.to_string(),
        }
    }
}

/// Decodes a `T` from a form tree.
pub fn from_form<'a, T: serde::Deserialize<'a>>(value: &'a FormValue) -> Result<T, PayloadError> {
    T::deserialize(FormDeserializer::new(value))
}

/// The serde `Deserializer` over one value of a form tree.
#[derive(Debug, Clone, Copy)]
pub struct FormDeserializer<'a> {
    value: &'a FormValue,
}

impl<'a> FormDeserializer<'a> {
    /// A deserializer reading `value`.
    pub fn new(value: &'a FormValue) -> Self {
        FormDeserializer { value }
    }

    fn text(&self) -> Option<&'a str> {
        self.value.as_str()
    }

    fn is_blank(&self) -> bool {
        self.text() == Some("")
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "Y" | "y" => Some(true),
        "0" | "N" | "n" | "" => Some(false),
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

macro_rules! parse_number {
    ($($method:ident => $t:ty, $visit:ident, $as:ty;)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
            match self.value {
                FormValue::Str(s) => match s.trim().parse::<$t>() {
                    Ok(n) => visitor.$visit(n as $as),
                    Err(_) => visitor.visit_borrowed_str(s),
                },
                FormValue::Map(_) => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'a> de::Deserializer<'a> for FormDeserializer<'a> {
    type Error = PayloadError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        match self.value {
            FormValue::Str(s) => visitor.visit_borrowed_str(s),
            FormValue::Map(m) if m.is_list() => visitor.visit_seq(Items::new(m)),
            FormValue::Map(m) => visitor.visit_map(Entries::new(m)),
        }
    }

    parse_number! {
        deserialize_i8 => i64, visit_i64, i64;
        deserialize_i16 => i64, visit_i64, i64;
        deserialize_i32 => i64, visit_i64, i64;
        deserialize_i64 => i64, visit_i64, i64;
        deserialize_i128 => i128, visit_i128, i128;
        deserialize_u8 => u64, visit_u64, u64;
        deserialize_u16 => u64, visit_u64, u64;
        deserialize_u32 => u64, visit_u64, u64;
        deserialize_u64 => u64, visit_u64, u64;
        deserialize_u128 => u128, visit_u128, u128;
        deserialize_f32 => f64, visit_f64, f64;
        deserialize_f64 => f64, visit_f64, f64;
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        match self.text().and_then(parse_bool) {
            Some(b) => visitor.visit_bool(b),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        match self.value {
            FormValue::Str(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
            FormValue::Map(_) => self.deserialize_seq(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        if self.is_blank() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        if self.is_blank() {
            visitor.visit_unit()
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        match self.value {
            FormValue::Map(m) => visitor.visit_seq(Items::new(m)),
            FormValue::Str(s) if s.is_empty() => visitor.visit_seq(Items::empty()),
            FormValue::Str(s) => visitor.visit_borrowed_str(s),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        match self.value {
            FormValue::Map(m) => visitor.visit_map(Entries::new(m)),
            FormValue::Str(s) if s.is_empty() => visitor.visit_map(Entries::empty()),
            FormValue::Str(s) => visitor.visit_borrowed_str(s),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        match self.value {
            FormValue::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            FormValue::Map(m) if m.len() == 1 => match m.entries().first() {
                Some((k, v)) => visitor.visit_enum(Variant { key: k, value: v }),
                None => Err(de::Error::custom("expected an enum variant")),
            },
            FormValue::Map(_) => Err(de::Error::custom(
                "expected a variant name or a map with one entry",
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        visitor.visit_unit()
    }
}

type Slots<'a> = std::slice::Iter<'a, (String, FormValue)>;

/// The values of a map, in order, as a sequence.
struct Items<'a> {
    it: Slots<'a>,
}

impl<'a> Items<'a> {
    fn new(m: &'a FormMap) -> Self {
        Items {
            it: m.entries().iter(),
        }
    }

    fn empty() -> Self {
        Items { it: [].iter() }
    }
}

impl<'a> de::SeqAccess<'a> for Items<'a> {
    type Error = PayloadError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, PayloadError> {
        let Some((k, v)) = self.it.next() else {
            return Ok(None);
        };
        seed.deserialize(FormDeserializer::new(v))
            .map(Some)
            .map_err(|e| e.within(k))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.it.len())
    }
}

/// The entries of a map.
struct Entries<'a> {
    it: Slots<'a>,
    value: Option<&'a (String, FormValue)>,
}

impl<'a> Entries<'a> {
    fn new(m: &'a FormMap) -> Self {
        Entries {
            it: m.entries().iter(),
            value: None,
        }
    }

    fn empty() -> Self {
        Entries {
            it: [].iter(),
            value: None,
        }
    }
}

impl<'a> de::MapAccess<'a> for Entries<'a> {
    type Error = PayloadError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, PayloadError> {
        let Some(entry) = self.it.next() else {
            return Ok(None);
        };
        self.value = Some(entry);
        seed.deserialize(KeyDeserializer(&entry.0))
            .map(Some)
            .map_err(|e| e.within(&entry.0))
    }

    fn next_value_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, PayloadError> {
        match self.value.take() {
            Some((k, v)) => seed
                .deserialize(FormDeserializer::new(v))
                .map_err(|e| e.within(k)),
            None => Err(de::Error::custom(
                "a map value was asked for before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.it.len())
    }
}

/// A map key: text, or a number when one is asked for (`BTreeMap<i64, T>`).
struct KeyDeserializer<'a>(&'a str);

macro_rules! key_number {
    ($($method:ident => $t:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
            match self.0.parse::<$t>() {
                Ok(n) => visitor.$visit(n.into()),
                Err(_) => visitor.visit_borrowed_str(self.0),
            }
        }
    )*};
}

impl<'a> de::Deserializer<'a> for KeyDeserializer<'a> {
    type Error = PayloadError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        visitor.visit_borrowed_str(self.0)
    }

    key_number! {
        deserialize_i8 => i64, visit_i64;
        deserialize_i16 => i64, visit_i64;
        deserialize_i32 => i64, visit_i64;
        deserialize_i64 => i64, visit_i64;
        deserialize_u8 => u64, visit_u64;
        deserialize_u16 => u64, visit_u64;
        deserialize_u32 => u64, visit_u64;
        deserialize_u64 => u64, visit_u64;
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, PayloadError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// An enum written as a one-entry map `{variant: value}`.
struct Variant<'a> {
    key: &'a str,
    value: &'a FormValue,
}

impl<'a> de::EnumAccess<'a> for Variant<'a> {
    type Error = PayloadError;
    type Variant = FormDeserializer<'a>;

    fn variant_seed<S: DeserializeSeed<'a>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), PayloadError> {
        let v = seed.deserialize(KeyDeserializer(self.key))?;
        Ok((v, FormDeserializer::new(self.value)))
    }
}

impl<'a> de::VariantAccess<'a> for FormDeserializer<'a> {
    type Error = PayloadError;

    fn unit_variant(self) -> Result<(), PayloadError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(
        self,
        seed: T,
    ) -> Result<T::Value, PayloadError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::form;
    use crate::events::Limits;
    use std::collections::BTreeMap;

    fn tree(body: &str) -> FormValue {
        FormValue::Map(form::parse(body.as_bytes(), &Limits::default()).expect("parses"))
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "UPPERCASE")]
    struct Params {
        message: String,
        message_id: i64,
        #[serde(default)]
        chat_id: Option<i64>,
        system: bool,
        push: Option<bool>,
        #[serde(default)]
        files: Vec<String>,
        #[serde(default)]
        mentioned_list: BTreeMap<String, i64>,
        ratio: f64,
        kind: Kind,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    enum Kind {
        P,
        C,
    }

    #[test]
    fn derived_structs_read_strings_as_their_types() {
        let t = tree(
            "P[MESSAGE]=Hi+there&P[MESSAGE_ID]=84331&P[CHAT_ID]=&P[SYSTEM]=N&P[PUSH]=Y\
             &P[FILES][]=a&P[FILES][]=b&P[MENTIONED_LIST][567]=567&P[RATIO]=0.5&P[KIND]=C",
        );
        let p: Params = from_form(t.get("P").unwrap()).unwrap();
        assert_eq!(
            p,
            Params {
                message: "Hi there".into(),
                message_id: 84331,
                chat_id: None,
                system: false,
                push: Some(true),
                files: vec!["a".into(), "b".into()],
                mentioned_list: BTreeMap::from([("567".into(), 567)]),
                ratio: 0.5,
                kind: Kind::C,
            }
        );
    }

    #[test]
    fn errors_name_the_path() {
        let t = tree("P[MESSAGE]=x&P[MESSAGE_ID]=abc&P[SYSTEM]=N&P[RATIO]=1&P[KIND]=P");
        let e = from_form::<BTreeMap<String, Params>>(&t).unwrap_err();
        assert_eq!(e.path, ["P", "MESSAGE_ID"]);
        assert!(
            e.to_string().starts_with("[P][MESSAGE_ID]: invalid type"),
            "{e}"
        );
        let t = tree("P[MESSAGE]=x");
        let e = from_form::<BTreeMap<String, Params>>(&t).unwrap_err();
        assert_eq!(e.to_string(), "[P]: missing field `MESSAGE_ID`");
    }

    #[test]
    fn lists_gaps_and_untyped_values() {
        let t = tree("a[0]=x&a[1]=y&b[3]=z&b[7]=w&c[k]=1");
        let v: serde_json::Value = from_form(&t).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": ["x", "y"], "b": {"3": "z", "7": "w"}, "c": {"k": "1"}})
        );
        let b: Vec<String> = from_form(t.get("b").unwrap()).unwrap();
        assert_eq!(b, ["z", "w"]);
        let keyed: BTreeMap<u32, String> = from_form(t.get("b").unwrap()).unwrap();
        assert_eq!(keyed, BTreeMap::from([(3, "z".into()), (7, "w".into())]));
    }

    #[test]
    fn lenient_types_accept_what_the_tree_hands_them() {
        use crate::__private::Lenient;
        let t = tree("n=12&e=&b=Y&z=0&l[]=1&l[]=2&m[5]=x");
        let get = |k: &str| FormDeserializer::new(t.get(k).unwrap());
        assert_eq!(i64::lenient(get("n")).unwrap(), 12);
        assert_eq!(Option::<i64>::lenient(get("e")).unwrap(), None);
        assert!(bool::lenient(get("b")).unwrap());
        assert!(!bool::lenient(get("z")).unwrap());
        assert_eq!(Vec::<i64>::lenient(get("l")).unwrap(), [1, 2]);
        assert_eq!(
            BTreeMap::<String, String>::lenient(get("m")).unwrap(),
            BTreeMap::from([("5".into(), "x".into())])
        );
        assert_eq!(String::lenient(get("e")).unwrap(), "");
    }

    #[test]
    fn the_deepest_allowed_tree_decodes_without_exhausting_the_stack() {
        use crate::events::HARD_MAX_DEPTH;
        let limits = Limits::default().max_depth(1_000_000);
        let deep = format!("a{}=1", "[]".repeat(HARD_MAX_DEPTH));
        let t = FormValue::Map(form::parse(deep.as_bytes(), &limits).expect("at the limit"));
        let v: serde_json::Value = from_form(&t).unwrap();
        assert!(v
            .pointer(&format!("/a{}", "/0".repeat(HARD_MAX_DEPTH)))
            .is_some_and(|x| x == "1"));
        let deeper = format!("a{}=1", "[]".repeat(HARD_MAX_DEPTH + 1));
        assert!(
            form::parse(deeper.as_bytes(), &limits).is_err(),
            "the hard limit holds"
        );
    }
}
