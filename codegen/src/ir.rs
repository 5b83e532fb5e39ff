//! The intermediate representation: the API with every Rust name decided.
//!
//! Built by the lowering stage, consumed by the emitters. Emitters read names from here and
//! never derive one themselves, so naming rules live in one place (`names`, `lower`).

use std::collections::BTreeMap;

/// The name by which generated code names the runtime crate; a [`RustTy::Named`] path of a
/// common type starts with it (`runtime::types::Time`), one of the module's own named types
/// with `crate::` (the root of the module's crate).
pub use crate::names::RUNTIME;

/// The whole API.
#[derive(Debug, Clone, Default, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeIr {
    /// Wire name (`imopenlines`).
    pub wire: String,
    /// Enum variant (`Imopenlines`).
    pub variant: String,
    /// One-line description.
    pub doc: String,
}

/// One namespace module, behind the cargo feature of the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceIr {
    /// Module and feature name (`imbot_v2`).
    pub module: String,
    /// Wire prefix of its methods (`imbot.v2`).
    pub prefix: String,
    /// Named types of the module (`spec/types/<module>.yaml`).
    pub types: Vec<TypeDef>,
    /// Methods, sorted by wire name.
    pub methods: Vec<MethodIr>,
    /// Events, sorted by wire name.
    pub events: Vec<EventIr>,
    /// The name of the module's enum of its events (`Event`).
    pub event_enum: String,
}

/// One event the portal sends to a handler.
#[derive(Debug, Clone, PartialEq)]
pub struct EventIr {
    /// Wire name (`ONIMBOTMESSAGEADD`).
    pub wire: String,
    /// The payload struct (the event's `data`) and the variant of the module's event enum.
    pub struct_name: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: Option<String>,
    /// Scopes needed to subscribe.
    pub scopes: Vec<ScopeRef>,
    /// Who may subscribe.
    pub subscribers: Option<String>,
    /// Official page URL.
    pub docs_url: String,
    /// Deprecation note (`Some` when deprecated).
    pub deprecated: Option<String>,
    /// The fields of `data`.
    pub fields: Vec<FieldIr>,
    /// The type of `data` when it is not an object; the payload is then a newtype of it.
    pub value: Option<RustTy>,
    /// Deliberate differences from the official page.
    pub deviations: Vec<DeviationIr>,
    /// Types generated for the payload's nested objects and enums.
    pub types: Vec<TypeDef>,
    /// Related methods or events.
    pub see_also: Vec<SeeAlso>,
}

/// One method.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodIr {
    /// Wire name.
    pub wire: String,
    /// Request struct name.
    pub struct_name: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: Option<String>,
    /// Scopes it needs.
    pub scopes: Vec<ScopeRef>,
    /// Who may call it.
    pub access: Option<String>,
    /// Kinds of auth that may call it.
    pub auth: Vec<Auth>,
    /// Official page URL.
    pub docs_url: String,
    /// Deprecation note (`Some` when deprecated).
    pub deprecated: Option<String>,
    /// The method only reads (safe to repeat after a transport failure).
    pub read: bool,
    /// Parameters.
    pub params: Vec<FieldIr>,
    /// Groups of optional params of which at least one must be given.
    pub one_of: Vec<OneOfGroup>,
    /// Result type.
    pub result: RustTy,
    /// Description of the result and its wire type.
    pub result_doc: String,
    /// Wire type text of the result.
    pub result_wire_type: String,
    /// The spec's example `result` (`result.example`), checked against the result type.
    pub result_example: Option<serde_yaml::Value>,
    /// The result's `error` and `error_description` fields, when errors can arrive inside
    /// the result.
    pub result_error: Option<ResultErrorFields>,
    /// Deliberate differences from the official page.
    pub deviations: Vec<DeviationIr>,
    /// Error enum; `None` when the method documents no errors of its own.
    pub errors: Option<ErrorEnumIr>,
    /// Types generated for this method (param objects, result structs, enums, unions).
    pub types: Vec<TypeDef>,
    /// Related methods.
    pub see_also: Vec<SeeAlso>,
    /// The `ListMethod` impl of a list method (the spec's `list` key).
    pub list: Option<ListIr>,
}

/// What a list method's generated `ListMethod` impl reads and sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ListIr {
    /// The Rust type of one item.
    pub item: RustTy,
    /// Items per page, when it is not the runtime's default of 50.
    pub page_size: Option<u64>,
    /// The result is an `Option` (a nullable result).
    pub result_optional: bool,
    /// The result field holding the items; `None` when the result is the list itself.
    pub items_field: Option<ResultField>,
    /// The items come as a map keyed by id (their values are the items, in key order).
    pub items_map: bool,
    /// How the pages are walked.
    pub walk: WalkIr,
}

/// How the pages of a list are walked, with the Rust fields each kind reads and sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkIr {
    /// By the `start` param.
    Start {
        /// The Rust field of the `start` param.
        start: String,
        /// The fast walk (`start=-1`, `>ID`), when the docs describe it.
        fast: Option<FastListIr>,
    },
    /// By an offset param stepped by the page size.
    Offset {
        /// The offset param.
        offset: ParamPathIr,
        /// The page-size param, when there is one.
        limit: Option<ParamPathIr>,
        /// How the last page is known.
        end: EndIr,
    },
    /// By a cursor param fed from the last item of the previous page.
    Cursor {
        /// The cursor param.
        cursor: ParamPathIr,
        /// The item field the cursor is taken from.
        from: ResultField,
        /// The page-size param, when there is one.
        limit: Option<ParamPathIr>,
        /// How the last page is known.
        end: EndIr,
    },
}

/// An integer param a walk sets (an `Option<i64>` Rust field): a field of the request, or of
/// an object param reached through `objects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamPathIr {
    /// The object params (and object fields) on the way, outermost first; empty for a field
    /// of the request itself.
    pub objects: Vec<ObjectStepIr>,
    /// The Rust field set.
    pub field: String,
}

/// An object on the way to a param a walk sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectStepIr {
    /// The Rust field holding the object.
    pub ident: String,
    /// The generated struct made with `new()` when the field is left out (`Option`); `None`
    /// when the field is required, so always there.
    pub make: Option<String>,
}

/// How the last page of an offset or cursor list is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndIr {
    /// A page with fewer items than the page size.
    Short,
    /// The envelope's `total` is reached.
    Total,
    /// A boolean field of the result object is false.
    Flag(ResultField),
}

/// The fields the fast walk of a list uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastListIr {
    /// The Rust field of the filter param (a JSON object).
    pub filter: String,
    /// The `ID` field of an item.
    pub id: ResultField,
}

/// A scope a method needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRef {
    /// Wire name (`imopenlines`).
    pub wire: String,
    /// Variant of the generated `Scope` enum (`Imopenlines`).
    pub variant: String,
}

/// A kind of authorisation that may call a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// An application's OAuth 2.0 access token.
    OAuth,
    /// An incoming webhook.
    Webhook,
    /// A browser session inside a Bitrix24 page.
    Session,
}

/// A field named both ways: on the wire and in Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldName {
    /// Wire name (`CHAT_ID`).
    pub wire: String,
    /// Rust identifier as emitted (`chat_id`, `r#type`).
    pub ident: String,
}

/// Optional fields of which at least one must be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOfGroup {
    /// The fields of the group, in spec order.
    pub members: Vec<FieldName>,
}

/// A deliberate difference from the official page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationIr {
    /// What differs (a param, a code, a type).
    pub name: String,
    /// Why.
    pub reason: String,
}

/// A related method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeeAlso {
    /// Wire name.
    pub wire: String,
    /// Rust path of its request struct, when the spec has the method.
    pub path: Option<String>,
}

/// A field of a result struct, read by generated code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultField {
    /// Rust identifier.
    pub ident: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// The result fields that carry an error inside a successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultErrorFields {
    /// The `error` field (the code).
    pub code: ResultField,
    /// The `error_description` field, when the result has one.
    pub description: Option<ResultField>,
}

/// Whether a field must be given, and how its absence is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always given: `T`.
    Required,
    /// May be left out: `Option<T>`.
    Optional,
    /// Required only over an incoming webhook: `Option<T>`, checked before sending.
    WebhookOnly,
    /// May be left out or sent as `null` to clear it: `Option<Option<T>>`.
    Nullable,
}

impl Presence {
    /// Whether the Rust field is an `Option` (of any depth).
    pub fn is_optional(self) -> bool {
        self != Presence::Required
    }
}

/// Documented limits on a field's value, checked before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    /// Numeric minimum.
    pub min: Option<i64>,
    /// Numeric maximum.
    pub max: Option<i64>,
    /// Maximum text length in characters.
    pub max_length: Option<u32>,
    /// Maximum number of items of a collection.
    pub max_items: Option<u32>,
    /// Required when a sibling has a given value.
    pub required_if: Option<RequiredIf>,
}

impl Constraints {
    /// Whether any limit is set.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// A field required when a sibling field has a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredIf {
    /// The sibling.
    pub sibling: FieldName,
    /// The sibling's value, as sent, that makes this field required.
    pub value: String,
}

/// How a boolean is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolEncoding {
    /// `Y` / `N`.
    Yn,
    /// `1` / `0`.
    Int,
}

/// A field of a request struct or of a generated object.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIr {
    /// Wire name.
    pub wire: String,
    /// Rust identifier as emitted (`chat_id`, `r#type`).
    pub ident: String,
    /// Rust type, without the `Option`s that `presence` adds.
    pub ty: RustTy,
    /// Whether it must be given.
    pub presence: Presence,
    /// Limits checked before sending.
    pub constraints: Constraints,
    /// Boolean wire form.
    pub encoding: Option<BoolEncoding>,
    /// Wire type as written in the spec (for doc tables).
    pub wire_type: String,
    /// Description (already the project's own words).
    pub doc: String,
    /// Deprecation note of the field.
    pub deprecated: Option<String>,
    /// A credential: its type is `Secret` (never printed).
    pub secret: bool,
    /// The type (or its array item) is a generated param object with its own `check`.
    pub nested_check: bool,
}

impl FieldIr {
    /// Whether the field is an `Option` in Rust.
    pub fn is_optional(&self) -> bool {
        self.presence.is_optional()
    }

    /// Its two names.
    pub fn name(&self) -> FieldName {
        FieldName {
            wire: self.wire.clone(),
            ident: self.ident.clone(),
        }
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
    /// `Secret`: a credential that never prints.
    Secret,
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
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// An object.
    Struct(StructIr),
    /// A string enumeration with a fallback.
    Enum(EnumIr),
    /// A value of one of several types.
    Union(UnionIr),
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Fields.
    pub fields: Vec<FieldIr>,
    /// Groups of optional fields of which at least one must be given.
    pub one_of: Vec<OneOfGroup>,
    /// Role.
    pub role: Role,
}

/// A string enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Variants, in spec order.
    pub variants: Vec<EnumVariantIr>,
}

/// One value of a string enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariantIr {
    /// Variant name.
    pub variant: String,
    /// Value on the wire.
    pub wire: String,
    /// Doc text (may be empty).
    pub doc: String,
}

/// A union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionIr {
    /// Type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Variants, in spec order.
    pub variants: Vec<UnionVariantIr>,
    /// Role.
    pub role: Role,
    /// Decoded by trying each variant's lenient decoding in order (a union of items, whose
    /// members may be named types); otherwise serde's untagged derive.
    pub ordered: bool,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariantIr {
    /// Variant name.
    pub variant: String,
    /// The type it holds.
    pub ty: RustTy,
}

/// A method's error enum.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorEnumIr {
    /// Type name.
    pub name: String,
    /// Variants, in documentation order of first appearance.
    pub variants: Vec<ErrorVariantIr>,
}

/// One error code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorVariantIr {
    /// Variant name.
    pub variant: String,
    /// Wire code.
    pub code: String,
    /// Every documented case, in documentation order.
    pub cases: Vec<ErrorCaseIr>,
}

/// One documented case of an error code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCaseIr {
    /// HTTP status.
    pub status: u16,
    /// The server's message, as documented.
    pub message: Option<String>,
    /// When it happens, in the project's words.
    pub when: Option<String>,
    /// Whether it arrives inside a successful answer's result.
    pub in_result: bool,
}
