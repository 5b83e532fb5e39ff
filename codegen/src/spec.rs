//! The spec model: serde structs that mirror the YAML files under `spec/`.
//!
//! The key names are a fixed contract (tools outside this crate read them); see
//! `docs/spec-format.md` for the reference. Unknown keys are rejected so that a
//! typo never passes silently.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod list;
pub use list::{ListEnd, ListSpec, Paging};

/// A built-in type of the spec format, parsed once from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BaseType {
    /// `integer`.
    Integer,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `text`.
    Text,
    /// `char`.
    Char,
    /// `boolean`.
    Boolean,
    /// `date`.
    Date,
    /// `datetime`.
    Datetime,
    /// `timestamp`.
    Timestamp,
    /// `file`.
    File,
    /// `any`.
    Any,
    /// `array`.
    Array,
    /// `object`.
    Object,
    /// `map`.
    Map,
}

impl BaseType {
    /// Every built-in type, in the order the docs list them.
    pub const ALL: [BaseType; 14] = [
        BaseType::Integer,
        BaseType::Double,
        BaseType::String,
        BaseType::Text,
        BaseType::Char,
        BaseType::Boolean,
        BaseType::Date,
        BaseType::Datetime,
        BaseType::Timestamp,
        BaseType::File,
        BaseType::Any,
        BaseType::Array,
        BaseType::Object,
        BaseType::Map,
    ];

    /// The type's name in spec files.
    pub const fn name(self) -> &'static str {
        match self {
            BaseType::Integer => "integer",
            BaseType::Double => "double",
            BaseType::String => "string",
            BaseType::Text => "text",
            BaseType::Char => "char",
            BaseType::Boolean => "boolean",
            BaseType::Date => "date",
            BaseType::Datetime => "datetime",
            BaseType::Timestamp => "timestamp",
            BaseType::File => "file",
            BaseType::Any => "any",
            BaseType::Array => "array",
            BaseType::Object => "object",
            BaseType::Map => "map",
        }
    }

    /// The built-in type of that name, if it is one.
    pub fn parse(name: &str) -> Option<BaseType> {
        BaseType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether it holds text on the wire.
    pub const fn is_text(self) -> bool {
        matches!(
            self,
            BaseType::String
                | BaseType::Text
                | BaseType::Char
                | BaseType::Date
                | BaseType::Datetime
                | BaseType::File
        )
    }

    /// Whether it is a collection (`array` or `map`).
    pub const fn is_collection(self) -> bool {
        matches!(self, BaseType::Array | BaseType::Map)
    }
}

/// Built-in type names of the spec format (the names of [`BaseType::ALL`]).
pub const BUILTIN_TYPES: &[&str] = &[
    BaseType::Integer.name(),
    BaseType::Double.name(),
    BaseType::String.name(),
    BaseType::Text.name(),
    BaseType::Char.name(),
    BaseType::Boolean.name(),
    BaseType::Date.name(),
    BaseType::Datetime.name(),
    BaseType::Timestamp.name(),
    BaseType::File.name(),
    BaseType::Any.name(),
    BaseType::Array.name(),
    BaseType::Object.name(),
    BaseType::Map.name(),
];

/// Types that hold text on the wire.
pub const STRING_TYPES: &[&str] = &["string", "text", "char", "date", "datetime", "file"];

#[cfg(test)]
mod base_type_tests {
    use super::*;

    #[test]
    fn names_round_trip_and_lists_agree() {
        for t in BaseType::ALL {
            assert_eq!(BaseType::parse(t.name()), Some(t));
            assert!(BUILTIN_TYPES.contains(&t.name()));
            assert_eq!(t.is_text(), STRING_TYPES.contains(&t.name()));
        }
        assert_eq!(BUILTIN_TYPES.len(), BaseType::ALL.len());
        assert_eq!(BaseType::parse("Message"), None);
    }
}

/// One method file: `spec/methods/<method>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Wire name, exactly as documented (`imopenlines.bot.session.finish`).
    pub method: String,
    /// The namespace module (and cargo feature) when the name does not give it: `app` for
    /// `server.time`. Without it, the module is the name's first segment (with a version
    /// segment: `imbot.v2.*` → `imbot_v2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// One line in the project's own words.
    pub summary: String,
    /// Longer Markdown description, in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Scopes the method needs; each must be listed in `spec/scopes.yaml`.
    pub scopes: Vec<String>,
    /// Who may call the method, as the documentation states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// Kinds of authorisation that may call the method (default: oauth and webhook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Vec<AuthKind>>,
    /// Path of the official page inside the documentation repository.
    pub docs: String,
    /// Present when the documentation marks the method as deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Parameters, in documentation order.
    #[serde(default)]
    pub params: Vec<Field>,
    /// What `result` holds on success.
    pub result: ResultSpec,
    /// The method only reads: repeating it after a transport failure or a 5xx is safe.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read: bool,
    /// A list method: pages of items that `Client::list` walks (`bitrix_api::ListMethod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListSpec>,
    /// Groups of optional params of which at least one must be given (checked before sending).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Vec<String>>,
    /// The method's own documented errors.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// Related methods, by wire name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub see_also: Vec<String>,
    /// Deliberate differences from the official page (a param or error code and why), shown
    /// in the rustdoc and accepted by the conformance and drift checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Deviation>,
}

/// One event file: `spec/events/<EVENT>.yaml`, an event the portal sends to a handler.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Wire name, as the portal sends it in `event` (`ONIMBOTMESSAGEADD`).
    pub event: String,
    /// The Rust name of its payload type, UpperCamelCase (`OnImbotMessageAdd`).
    pub rust_name: String,
    /// The namespace module (and cargo feature) it belongs to (`imbot`, `imopenlines`, `app`).
    pub namespace: String,
    /// One line in the project's own words.
    pub summary: String,
    /// Longer Markdown description, in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Scopes an application needs to subscribe; each must be listed in `spec/scopes.yaml`.
    pub scopes: Vec<String>,
    /// Who may subscribe, as the documentation states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<String>,
    /// Path of the official page inside the documentation repository (with `#anchor` when
    /// several events share a page).
    pub docs: String,
    /// Present when the documentation marks the event as deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// The fields of the event's `data`, in documentation order.
    #[serde(default)]
    pub data: Vec<Field>,
    /// The type of `data` when it is not an object (a bare id): a field without a name, like a
    /// method's `result`. Exclusive with `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_value: Option<ResultSpec>,
    /// Related methods or events, by wire name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub see_also: Vec<String>,
    /// Deliberate differences from the official page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Deviation>,
}

/// A deliberate difference between the spec and the official page.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// The documented param or error code the spec treats differently.
    pub name: String,
    /// Why, with the evidence (the page's own example, another page), in our own words.
    pub reason: String,
}

/// A kind of authorisation.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// OAuth 2.0 access token (an application).
    Oauth,
    /// Incoming webhook URL.
    Webhook,
    /// Browser session inside a Bitrix24 page.
    Session,
}

/// Deprecation details.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// The method to use instead, when the documentation names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// A short note in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The docs say the method (or event) does not work at all, rather than that it is
    /// superseded: still generated and callable, with a note saying so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inoperative: bool,
}

/// A type expression: one type name, or several for a union (`[string, integer]`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum TypeExpr {
    /// A single type name.
    One(String),
    /// A union of type names.
    Union(Vec<String>),
}

impl TypeExpr {
    /// The type names in this expression.
    pub fn names(&self) -> Vec<&str> {
        match self {
            TypeExpr::One(s) => vec![s.as_str()],
            TypeExpr::Union(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Whether a parameter is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Required {
    /// Optional.
    #[default]
    No,
    /// Always required.
    Yes,
    /// Required only when the call is made over an incoming webhook.
    Webhook,
}

impl Serialize for Required {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Required::No => s.serialize_bool(false),
            Required::Yes => s.serialize_bool(true),
            Required::Webhook => s.serialize_str("webhook"),
        }
    }
}

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(true) => Ok(Required::Yes),
            Raw::Bool(false) => Ok(Required::No),
            Raw::Str(s) if s == "webhook" => Ok(Required::Webhook),
            Raw::Str(s) => Err(serde::de::Error::custom(format!(
                "required must be true, false or webhook, not {s:?}"
            ))),
        }
    }
}

/// How a boolean travels on the wire.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `Y` / `N`.
    Yn,
    /// `1` / `0`.
    Int,
}

/// One allowed value of an enumeration.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum EnumValue {
    /// Just the value.
    Plain(Scalar),
    /// The value with a description.
    Described {
        /// The value as it travels.
        value: Scalar,
        /// What it means, in the project's own words.
        #[serde(default)]
        description: Option<String>,
    },
}

impl EnumValue {
    /// The wire value.
    pub fn value(&self) -> &Scalar {
        match self {
            EnumValue::Plain(v) | EnumValue::Described { value: v, .. } => v,
        }
    }
    /// The description, if any.
    pub fn description(&self) -> Option<&str> {
        match self {
            EnumValue::Plain(_) => None,
            EnumValue::Described { description, .. } => description.as_deref(),
        }
    }
}

/// A scalar YAML value used in `values`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Str(s) => f.write_str(s),
        }
    }
}

/// A parameter, or a field of an object.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name, exactly as documented (`CHAT_ID`, `dialogId`).
    pub name: String,
    /// Rust field name to use instead of the snake_case of `name` (only to settle a collision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    /// The type.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// For `array` and `map`: the type of each item (or value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// For `object` (or an array/map of `object`): the fields of that object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// Whether it is required (params) or always present and non-null (results).
    #[serde(default)]
    pub required: Required,
    /// Minimum numeric value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Maximum numeric value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Maximum length of a string, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Required only when a sibling param has a given value (checked before sending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// Maximum number of items of an `array` or `map`, checked before sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// For optional params: may be sent as `null` to clear a value (Rust `Option<Option<T>>`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nullable: bool,
    /// Allowed values (an enumeration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValue>>,
    /// Wire form of a boolean (`yn` or `int`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// The default the server applies when the parameter is omitted (documentation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_yaml::Value>,
    /// Present when the documentation marks the parameter as deprecated: a short note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// For objects: groups of optional fields of which at least one must be given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Vec<String>>,
    /// A credential (a bot token, a client id used as one): redacted in `Debug` output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// What it is, in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A condition on a sibling param: `{name: eventMode, value: webhook}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Wire name of the sibling param.
    pub name: String,
    /// The value (as sent) that makes this param required.
    pub value: Scalar,
}

/// The `result` of a method: a field without a name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// The type.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// For `array` and `map`: the type of each item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// For `object` (or an array/map of objects): its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// Allowed values (an enumeration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValue>>,
    /// Wire form of a boolean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// The server may answer `null` or `false` instead (the Rust result is an `Option`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nullable: bool,
    /// What it holds, in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One documented answer's `result` (a method's result only): `check` verifies that it has
    /// the result type's shape; the emulator answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_yaml::Value>,
}

impl ResultSpec {
    /// The result as a required field named `result`, for the rules that walk fields (naming,
    /// lowering); its description is kept.
    pub fn as_field(&self) -> Field {
        Field {
            name: "result".into(),
            rust_name: None,
            ty: self.ty.clone(),
            items: self.items.clone(),
            fields: self.fields.clone(),
            required: Required::Yes,
            min: None,
            max: None,
            max_length: None,
            max_items: None,
            required_if: None,
            nullable: false,
            values: self.values.clone(),
            encoding: self.encoding,
            default: None,
            deprecated: None,
            secret: false,
            one_of: Vec::new(),
            description: self.description.clone(),
        }
    }
}

/// The items of an `array` or `map`: a type name, a whole type for nested collections
/// (`items: {type: array, items: integer}` for a map of integer lists), or a union of type
/// names for items of several kinds (`items: [integer, DialogUser]`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Items {
    /// A type name (`integer`, `object`, `User`).
    Name(String),
    /// Items that are each one of these types: built-in scalars or named types, tried in
    /// this order when decoding.
    Union(Vec<String>),
    /// A nested type.
    Nested(Box<ItemSpec>),
}

impl Items {
    /// The type name of the items (`array` for a nested list; `any` for a union, which no
    /// one name covers).
    pub fn name(&self) -> &str {
        match self {
            Items::Name(n) => n,
            Items::Union(_) => "any",
            Items::Nested(s) => &s.ty,
        }
    }

    /// The member type names of a union of items; `None` for other items.
    pub fn union(&self) -> Option<&[String]> {
        match self {
            Items::Union(members) => Some(members),
            _ => None,
        }
    }

    /// The item type as a field named `name`, for checking and lowering it like any field.
    pub fn as_field(&self, name: &str, outer: &Field) -> Field {
        let mut f = outer.clone();
        f.name = name.to_string();
        f.rust_name = None;
        f.required = Required::Yes;
        f.min = None;
        f.max = None;
        f.max_length = None;
        f.max_items = None;
        f.required_if = None;
        f.nullable = false;
        f.one_of = Vec::new();
        f.default = None;
        match self {
            Items::Name(n) => {
                f.ty = TypeExpr::One(n.clone());
                f.items = None;
            }
            Items::Union(members) => {
                f.ty = TypeExpr::Union(members.clone());
                f.items = None;
            }
            Items::Nested(s) => {
                f.ty = TypeExpr::One(s.ty.clone());
                f.items = s.items.clone();
                f.fields = s.fields.clone();
                f.values = s.values.clone();
                f.encoding = s.encoding;
            }
        }
        f
    }
}

impl From<&str> for Items {
    fn from(name: &str) -> Self {
        Items::Name(name.to_string())
    }
}

impl From<String> for Items {
    fn from(name: String) -> Self {
        Items::Name(name)
    }
}

/// A nested item type: the type keys of a field, without a name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// The type.
    #[serde(rename = "type")]
    pub ty: String,
    /// For `array` and `map`: the type of each item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// For `object`: its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// Allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValue>>,
    /// Wire form of a boolean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
}

/// A documented error.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// The `error` code, exactly as the server sends it.
    pub code: String,
    /// HTTP status.
    pub status: u16,
    /// The server's `error_description`, as the server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The error arrives inside a successful answer (`status: 200`), as the result's
    /// `error` / `error_description` fields; the client turns it into this typed error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_result: bool,
    /// When it happens, in the project's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The page that documents this error, when it is not the file's own page (a method's
    /// page, or the system-errors page): `drift` looks for the code there instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
}

/// `spec/common/errors.yaml`: the system errors any method can return.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SystemErrorsFile {
    /// Path of the official page that lists them.
    pub docs: String,
    /// The errors.
    pub errors: Vec<ErrorSpec>,
}

/// `spec/common/types.yaml`: named object types.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TypesFile {
    /// Named types, by spec name (`time`).
    pub types: BTreeMap<String, NamedType>,
}

/// A named object type.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedType {
    /// What it is, in the project's own words.
    pub description: String,
    /// Path of the official page that describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// `spec/scopes.yaml`: every scope, one line each.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScopesFile {
    /// Scope name → one-line description.
    pub scopes: BTreeMap<String, String>,
}
