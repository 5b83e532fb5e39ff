//! The intermediate representation: the API with every Rust name decided.
//!
//! Built by [`crate::lower`], consumed by [`crate::emit`]. Emitters read names from here and
//! never derive one themselves, so naming rules live in one place (`names`, `lower`).

use crate::spec::{AuthKind, Encoding, Required};
use std::collections::BTreeMap;

/// The whole API.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// Every scope, sorted by wire name.
    pub scopes: Vec<ScopeIr>,
    /// The system errors any method can return.
    pub system_errors: Vec<ErrorVariantIr>,
    /// Official page of the system errors.
    pub system_errors_url: String,
    /// Named types of `common/types.yaml` (module `types`).
    pub common_types: Vec<TypeDef>,
    /// Namespaces by module name.
    pub namespaces: BTreeMap<String, NamespaceIr>,
}

/// A scope.
#[derive(Debug, Clone)]
pub struct ScopeIr {
    /// Wire name (`imopenlines`).
    pub wire: String,
    /// Enum variant (`Imopenlines`).
    pub variant: String,
    /// One-line description.
    pub doc: String,
}

/// One namespace module, behind the cargo feature of the same name.
#[derive(Debug, Clone)]
pub struct NamespaceIr {
    /// Module and feature name (`imbot_v2`).
    pub module: String,
    /// Wire prefix of its methods (`imbot.v2`).
    pub prefix: String,
    /// Named types of the module (`spec/types/<module>.yaml`).
    pub types: Vec<TypeDef>,
    /// Methods, sorted by wire name.
    pub methods: Vec<MethodIr>,
}

/// One method.
#[derive(Debug, Clone)]
pub struct MethodIr {
    /// Wire name.
    pub wire: String,
    /// Request struct name.
    pub struct_name: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: Option<String>,
    /// Scopes as (wire, variant).
    pub scopes: Vec<(String, String)>,
    /// Who may call it.
    pub access: Option<String>,
    /// Kinds of auth that may call it.
    pub auth: Vec<AuthKind>,
    /// Official page URL.
    pub docs_url: String,
    /// Deprecation note (`Some` when deprecated).
    pub deprecated: Option<String>,
    /// Parameters.
    pub params: Vec<FieldIr>,
    /// Groups of optional params of which at least one must be given: (wire, ident).
    pub one_of: Vec<Vec<(String, String)>>,
    /// Result type.
    pub result: RustTy,
    /// Description of the result and its wire type.
    pub result_doc: String,
    /// Wire type text of the result.
    pub result_wire_type: String,
    /// The result's `error` and `error_description` fields, when errors can arrive inside
    /// the result.
    pub result_error: Option<ResultErrorFields>,
    /// Deliberate differences from the official page: (name, reason).
    pub deviations: Vec<(String, String)>,
    /// Error enum; `None` when the method documents no errors of its own.
    pub errors: Option<ErrorEnumIr>,
    /// Types generated for this method (param objects, result structs, enums, unions).
    pub types: Vec<TypeDef>,
    /// Related methods as (wire name, Rust path when generated).
    pub see_also: Vec<(String, Option<String>)>,
}

/// A result field by its Rust identifier, and whether it is an `Option`.
pub type FieldRef = (String, bool);

/// The result fields that carry an error inside a successful answer: `error`, and
/// `error_description` when the result has it.
pub type ResultErrorFields = (FieldRef, Option<FieldRef>);

/// A field of a request struct or of a generated object.
#[derive(Debug, Clone)]
pub struct FieldIr {
    /// Wire name.
    pub wire: String,
    /// Rust identifier as emitted (`chat_id`, `r#type`).
    pub ident: String,
    /// Rust type, without the `Option` that `required` adds.
    pub ty: RustTy,
    /// Required flag.
    pub required: Required,
    /// Numeric minimum.
    pub min: Option<i64>,
    /// Numeric maximum.
    pub max: Option<i64>,
    /// Maximum text length in characters.
    pub max_length: Option<u32>,
    /// Maximum number of items of a collection.
    pub max_items: Option<u32>,
    /// Required when a sibling has a value: (sibling wire name, sibling ident, value as sent).
    pub required_if: Option<(String, String, String)>,
    /// May be sent as `null` (the Rust type is `Option<Option<T>>`).
    pub nullable: bool,
    /// Boolean wire form.
    pub encoding: Option<Encoding>,
    /// Wire type as written in the spec (for doc tables).
    pub wire_type: String,
    /// Description (already the project's own words).
    pub doc: String,
    /// Deprecation note of the field.
    pub deprecated: Option<String>,
    /// Redacted in `Debug`.
    pub secret: bool,
    /// The type (or its array item) is a generated param object with its own `check`.
    pub nested_check: bool,
}

impl FieldIr {
    /// Whether the field is an `Option` in Rust.
    pub fn is_optional(&self) -> bool {
        self.required != Required::Yes
    }
}

/// A Rust type.
#[derive(Debug, Clone, PartialEq)]
pub enum RustTy {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `String`.
    Str,
    /// `bool`.
    Bool,
    /// `serde_json::Value`.
    Json,
    /// `Vec<T>`.
    Vec(Box<RustTy>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustTy>),
    /// A generated type, by path (`DialogGetResult`, `crate::types::Time`).
    Named(String),
    /// `Option<T>`: a result the server may send as `null` or `false`.
    Option(Box<RustTy>),
}

/// What a generated type is for: it decides derives and decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sent: serialised, with a builder.
    Param,
    /// Received: decoded leniently.
    Result,
    /// Both (named common types).
    Both,
}

/// A generated type.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// An object.
    Struct(StructIr),
    /// A string enumeration with a fallback.
    Enum(EnumIr),
    /// A value of one of several types.
    Union(UnionIr),
}

/// An object type.
#[derive(Debug, Clone)]
pub struct StructIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Fields.
    pub fields: Vec<FieldIr>,
    /// Groups of optional fields of which at least one must be given: (wire, ident).
    pub one_of: Vec<Vec<(String, String)>>,
    /// Role.
    pub role: Role,
}

/// A string enumeration.
#[derive(Debug, Clone)]
pub struct EnumIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// (variant, wire value, doc).
    pub variants: Vec<(String, String, String)>,
}

/// A union.
#[derive(Debug, Clone)]
pub struct UnionIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// (variant, type).
    pub variants: Vec<(String, RustTy)>,
    /// Role.
    pub role: Role,
}

/// A method's error enum.
#[derive(Debug, Clone)]
pub struct ErrorEnumIr {
    /// Type name.
    pub name: String,
    /// Variants, in documentation order of first appearance.
    pub variants: Vec<ErrorVariantIr>,
}

/// One error code.
#[derive(Debug, Clone)]
pub struct ErrorVariantIr {
    /// Variant name.
    pub variant: String,
    /// Wire code.
    pub code: String,
    /// Every documented case: (status, server message, when, inside the result).
    pub cases: Vec<(u16, Option<String>, Option<String>, bool)>,
}
