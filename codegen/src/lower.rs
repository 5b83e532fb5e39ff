//! Lowering: turns a validated [`SpecSet`] into the [`Api`] IR, deciding every Rust name and
//! reporting names that collide.

mod list;

use crate::diag::Diagnostic;
use crate::ir::*;
use crate::load::SpecSet;
use crate::names::{self, RUNTIME};
use crate::spec::{
    AuthKind, BaseType, EnumValue, ErrorSpec, Field, Items, MethodSpec, Required, ResultSpec,
    Scalar, TypeExpr, TypesFile,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Base URL of the official documentation site.
pub const DOCS_SITE: &str = "https://apidocs.bitrix24.com/";

/// Official page URL for a docs path (`api-reference/x.md` → `https://apidocs.bitrix24.com/api-reference/x.html`),
/// keeping an `#anchor` (`x.md#a` → `…/x.html#a`).
pub fn docs_url(path: &str) -> String {
    let (page, anchor) = match path.split_once('#') {
        Some((page, anchor)) => (page, format!("#{anchor}")),
        None => (path, String::new()),
    };
    let page = page
        .strip_suffix(".md")
        .map(|p| format!("{p}.html"))
        .unwrap_or_else(|| page.to_string());
    format!("{DOCS_SITE}{page}{anchor}")
}

/// Lowers the set. Assumes [`crate::validate::validate`] found nothing; still never panics.
pub fn lower(set: &SpecSet) -> (Api, Vec<Diagnostic>) {
    lower_members(lower_base(set), set)
}

/// The lowering of everything but methods and events ([`lower_base`]), with what lowering
/// the members needs; kept and cloned to lower members over the same base
/// ([`lower_members`]).
#[derive(Debug, Clone)]
pub(crate) struct LoweredBase {
    /// Scopes, system errors, common types, and a namespace with its named types for each
    /// module types file (its prefix is decided with the methods).
    api: Api,
    /// Common named types: spec name → Rust path.
    named: BTreeMap<String, String>,
    /// Names taken in each namespace, with the file that took them.
    taken: BTreeMap<String, BTreeMap<String, PathBuf>>,
    /// Named types visible in each module: the common ones, then the module's own.
    visible: BTreeMap<String, BTreeMap<String, String>>,
    /// The problems found.
    diags: Vec<Diagnostic>,
}

/// Lowers scopes, system errors, common types and each module's named types: nothing here
/// depends on methods or events.
pub(crate) fn lower_base(set: &SpecSet) -> LoweredBase {
    let mut diags = Vec::new();
    let mut api = Api::default();
    let named: BTreeMap<String, String> = set
        .types
        .as_ref()
        .map(|t| {
            t.value
                .types
                .keys()
                .map(|k| (k.clone(), format!("{RUNTIME}::types::{}", names::camel(k))))
                .collect()
        })
        .unwrap_or_default();

    if let Some(s) = &set.scopes {
        let mut seen = BTreeMap::new();
        for (wire, doc) in &s.value.scopes {
            let variant = names::camel(wire);
            if let Some(prev) = seen.insert(variant.clone(), wire.clone()) {
                diags.push(Diagnostic::new(
                    &s.path,
                    format!("scopes.{wire}"),
                    format!("scopes \"{prev}\" and \"{wire}\" both become Scope::{variant}"),
                ));
            }
            api.scopes.push(ScopeIr {
                wire: wire.clone(),
                variant,
                doc: doc.clone(),
            });
        }
    }
    if let Some(e) = &set.system_errors {
        api.system_errors = error_variants(&e.path, "errors", &e.value.errors, &mut diags);
        api.system_errors_url = docs_url(&e.value.docs);
    }
    if let Some(t) = &set.types {
        let mut taken = BTreeMap::new();
        api.common_types = named_types(&t.path, &t.value, &named, &mut taken, &mut diags);
    }

    let mut taken: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut visible: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (module, t) in &set.module_types {
        let mut names_here = named.clone();
        for k in t.value.types.keys() {
            // Generated into the module's own crate, whose root holds its types.
            names_here.insert(k.clone(), format!("crate::{}", names::camel(k)));
        }
        let ns_taken = taken.entry(module.clone()).or_default();
        let types = named_types(&t.path, &t.value, &names_here, ns_taken, &mut diags);
        api.namespaces.insert(
            module.clone(),
            NamespaceIr {
                module: module.clone(),
                prefix: module.clone(),
                types,
                methods: Vec::new(),
                events: Vec::new(),
                event_enum: String::new(),
            },
        );
        visible.insert(module.clone(), names_here);
    }
    LoweredBase {
        api,
        named,
        taken,
        visible,
        diags,
    }
}

/// Lowers the methods and events of `set` over its lowered base, then what depends on them:
/// the namespace prefixes, the modules' event enums and the results' examples.
pub(crate) fn lower_members(base: LoweredBase, set: &SpecSet) -> (Api, Vec<Diagnostic>) {
    let LoweredBase {
        mut api,
        named,
        mut taken,
        visible,
        mut diags,
    } = base;
    // Every method's place, for `see_also` links.
    let all: BTreeMap<&str, names::MethodPlace> = set
        .methods
        .iter()
        .map(|(name, m)| {
            let place = names::method_place(name, m.value.namespace.as_deref());
            (name.as_str(), place)
        })
        .collect();
    let prefixes = namespace_prefixes(set);
    for ns in api.namespaces.values_mut() {
        ns.prefix = namespace_prefix(&ns.module, &prefixes);
    }
    for m in set.methods.values() {
        let module = all[m.value.method.as_str()].module.clone();
        let prefix = namespace_prefix(&module, &prefixes);
        let ns_taken = taken.entry(module.clone()).or_default();
        let names_here = visible.get(&module).unwrap_or(&named);
        let shape = m
            .value
            .list
            .as_ref()
            .and_then(|l| crate::list_key::resolve(&m.value, l, set, &module).ok());
        let mut method = lower_method(&m.path, &m.value, names_here, &all, ns_taken, &mut diags);
        method.list =
            shape.and_then(|s| list::list_ir(&s, &method.params, &method.result, &method.types));
        api.namespaces
            .entry(module.clone())
            .or_insert_with(|| NamespaceIr {
                module,
                prefix,
                types: Vec::new(),
                methods: Vec::new(),
                events: Vec::new(),
                event_enum: String::new(),
            })
            .methods
            .push(method);
    }
    let links = Links {
        methods: &all,
        events: set
            .events
            .values()
            .map(|e| {
                let e = &e.value;
                (
                    e.event.clone(),
                    names::MethodPlace {
                        module: e.namespace.clone(),
                        struct_name: e.rust_name.clone(),
                    },
                )
            })
            .collect(),
    };
    for e in set.events.values() {
        let module = e.value.namespace.clone();
        let ns_taken = taken.entry(module.clone()).or_default();
        let names_here = visible.get(&module).unwrap_or(&named);
        let event = lower_event(&e.path, &e.value, names_here, &links, ns_taken, &mut diags);
        api.namespaces
            .entry(module.clone())
            .or_insert_with(|| NamespaceIr {
                module: module.clone(),
                prefix: module.clone(),
                types: Vec::new(),
                methods: Vec::new(),
                events: Vec::new(),
                event_enum: String::new(),
            })
            .events
            .push(event);
    }
    // Each module with events gets an enum of them, named `Event` (claimed like any type).
    for ns in api.namespaces.values_mut() {
        if ns.events.is_empty() {
            continue;
        }
        let name = "Event".to_string();
        let ns_taken = taken.entry(ns.module.clone()).or_default();
        if let Some(other) = ns_taken.get(&name) {
            diags.push(
                Diagnostic::new(
                    other,
                    "",
                    format!(
                        "the Rust type name {name} is taken here, but module {} needs it for its enum of events",
                        ns.module
                    ),
                )
                .hint("rename the other item with rust_name:"),
            );
        }
        ns.event_enum = name;
    }
    check_examples(set, &api, &mut diags);
    (api, diags)
}

/// Every `result.example` has its result type's shape.
fn check_examples(set: &SpecSet, api: &Api, diags: &mut Vec<Diagnostic>) {
    for m in set.methods.values() {
        let Some(example) = &m.value.result.example else {
            continue;
        };
        let found = api.namespaces.values().find_map(|ns| {
            ns.methods
                .iter()
                .find(|ir| ir.wire == m.value.method)
                .map(|ir| (ns, ir))
        });
        let Some((ns, ir)) = found else { continue };
        let types = crate::example::Resolver::new(api, ns, ir);
        if let Err(e) = crate::example::check(&types, &ir.result, example) {
            diags.push(
                Diagnostic::new(
                    &m.path,
                    "result.example",
                    format!("the example does not fit the result type: {e}"),
                )
                .hint("copy one documented answer's result, or fix the result's fields"),
            );
        }
    }
}

/// What `see_also` entries of an event may link to.
struct Links<'a> {
    /// The spec's methods, by wire name, with their places.
    methods: &'a BTreeMap<&'a str, names::MethodPlace>,
    /// Wire name of each event → its payload's module and struct.
    events: BTreeMap<String, names::MethodPlace>,
}

fn lower_event(
    path: &Path,
    e: &crate::spec::EventSpec,
    named: &BTreeMap<String, String>,
    links: &Links<'_>,
    taken: &mut BTreeMap<String, PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> EventIr {
    let mut cx = Cx::new(path, named, taken, diags);
    cx.take(&e.rust_name, "rust_name");
    let fields = cx.fields(&e.rust_name, "data", &e.data, Role::Result);
    let value = e
        .data_value
        .as_ref()
        .map(|v| cx.result(&format!("{}Data", e.rust_name), v));
    let types = std::mem::take(&mut cx.types);
    *taken = std::mem::take(&mut cx.taken);
    EventIr {
        wire: e.event.clone(),
        struct_name: e.rust_name.clone(),
        summary: e.summary.trim().to_string(),
        description: e.description.clone(),
        scopes: scope_refs(&e.scopes),
        subscribers: e.subscribers.clone(),
        docs_url: docs_url(&e.docs),
        deprecated: deprecation_note(e.deprecated.as_ref()),
        fields,
        value,
        deviations: deviation_irs(&e.deviations),
        types,
        see_also: e
            .see_also
            .iter()
            .map(|s| {
                let place = links
                    .methods
                    .get(s.as_str())
                    .or_else(|| links.events.get(s));
                let path = place.and_then(|p| link_within(&e.namespace, p));
                SeeAlso {
                    wire: s.clone(),
                    path,
                }
            })
            .collect(),
    }
}

/// The doc-link path of `place` from code generated into module `here`: its struct name
/// within the same module; nothing for another module, which is another crate that the
/// module's crate does not depend on (the link is then plain text).
fn link_within(here: &str, place: &names::MethodPlace) -> Option<String> {
    (place.module == here).then(|| place.struct_name.clone())
}

/// Scopes by their wire names, with their `Scope` variants.
fn scope_refs(scopes: &[String]) -> Vec<ScopeRef> {
    scopes
        .iter()
        .map(|s| ScopeRef {
            wire: s.clone(),
            variant: names::camel(s),
        })
        .collect()
}

/// The deliberate differences from the official page, as the IR holds them.
fn deviation_irs(deviations: &[crate::spec::Deviation]) -> Vec<DeviationIr> {
    deviations
        .iter()
        .map(|d| DeviationIr {
            name: d.name.clone(),
            reason: d.reason.clone(),
        })
        .collect()
}

/// The deprecation note shown in rustdoc and `#[deprecated]`.
fn deprecation_note(d: Option<&crate::spec::Deprecation>) -> Option<String> {
    d.map(|d| {
        let mut note = String::from(if d.inoperative {
            "not operational according to the Bitrix24 docs"
        } else {
            "deprecated by Bitrix24"
        });
        if let Some(r) = &d.replacement {
            note.push_str(&format!("; use {r} instead"));
        }
        if let Some(n) = &d.note {
            note.push_str(&format!(": {}", n.trim()));
        }
        note
    })
}

/// Lowers a file of named types (common or of one module) into structs; claims their names.
fn named_types(
    path: &Path,
    file: &TypesFile,
    named: &BTreeMap<String, String>,
    taken: &mut BTreeMap<String, PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<TypeDef> {
    let mut cx = Cx::new(path, named, taken, diags);
    for (name, ty) in &file.types {
        let sname = names::camel(name);
        cx.take(&sname, &format!("types.{name}"));
        let fields = cx.fields(&sname, &format!("types.{name}"), &ty.fields, Role::Both);
        cx.types.push(TypeDef::Struct(StructIr {
            name: sname,
            doc: ty.description.clone(),
            fields,
            one_of: Vec::new(),
            role: Role::Both,
        }));
    }
    *taken = std::mem::take(&mut cx.taken);
    cx.types
}

/// The wire prefix each module's methods share (`imbot_v2` → `imbot.v2`), taken from the
/// first method (in name order) whose name gives the module. Built once: looking it up per
/// method made lowering quadratic in the number of methods.
fn namespace_prefixes(set: &SpecSet) -> BTreeMap<String, String> {
    let mut prefixes = BTreeMap::new();
    for name in set.methods.keys() {
        let (module, prefix) = names::namespace(name);
        prefixes.entry(module).or_insert(prefix);
    }
    prefixes
}

/// The wire prefix of `module` in `prefixes`, else the module's own name.
fn namespace_prefix(module: &str, prefixes: &BTreeMap<String, String>) -> String {
    prefixes
        .get(module)
        .cloned()
        .unwrap_or_else(|| module.to_string())
}

fn lower_method(
    path: &Path,
    m: &MethodSpec,
    named: &BTreeMap<String, String>,
    all: &BTreeMap<&str, names::MethodPlace>,
    taken: &mut BTreeMap<String, PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> MethodIr {
    let here = &all[m.method.as_str()];
    let struct_name = here.struct_name.clone();
    let mut cx = Cx::new(path, named, taken, diags);
    cx.take(&struct_name, "method");
    let params = cx.fields(&struct_name, "params", &m.params, Role::Param);
    let one_of = one_of_groups(&m.one_of, &params);
    let result = cx.result(&struct_name, &m.result);
    let errors = if m.errors.is_empty() {
        None
    } else {
        let name = format!("{struct_name}Error");
        cx.take(&name, "errors");
        Some(ErrorEnumIr {
            name,
            variants: error_variants(path, "errors", &m.errors, cx.diags),
        })
    };
    let result_error = if m.errors.iter().any(|e| e.in_result) {
        let find = |wire: &str| {
            cx.types.iter().find_map(|t| match t {
                TypeDef::Struct(s) if RustTy::Named(s.name.clone()) == result => s
                    .fields
                    .iter()
                    .find(|f| f.wire == wire)
                    .map(|f| ResultField {
                        ident: f.ident.clone(),
                        optional: f.is_optional(),
                    }),
                _ => None,
            })
        };
        find("error").map(|code| ResultErrorFields {
            code,
            description: find("error_description"),
        })
    } else {
        None
    };
    let types = std::mem::take(&mut cx.types);
    *taken = std::mem::take(&mut cx.taken);
    MethodIr {
        wire: m.method.clone(),
        struct_name,
        summary: m.summary.trim().to_string(),
        description: m.description.clone(),
        scopes: scope_refs(&m.scopes),
        access: m.access.clone(),
        auth: m
            .auth
            .as_deref()
            .unwrap_or(&[AuthKind::Oauth, AuthKind::Webhook])
            .iter()
            .map(|a| match a {
                AuthKind::Oauth => Auth::OAuth,
                AuthKind::Webhook => Auth::Webhook,
                AuthKind::Session => Auth::Session,
            })
            .collect(),
        docs_url: docs_url(&m.docs),
        deprecated: deprecation_note(m.deprecated.as_ref()),
        read: m.read,
        params,
        one_of,
        result_error,
        deviations: deviation_irs(&m.deviations),
        result_doc: m.result.description.clone().unwrap_or_default(),
        result_wire_type: wire_type(&m.result.ty, m.result.items.as_ref()),
        result_example: m.result.example.clone(),
        result,
        errors,
        types,
        see_also: m
            .see_also
            .iter()
            .map(|s| {
                let path = all
                    .get(s.as_str())
                    .and_then(|place| link_within(&here.module, place));
                SeeAlso {
                    wire: s.clone(),
                    path,
                }
            })
            .collect(),
        list: None,
    }
}

fn error_variants(
    path: &Path,
    place: &str,
    errors: &[ErrorSpec],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ErrorVariantIr> {
    let mut out: Vec<ErrorVariantIr> = Vec::new();
    let mut by_variant: BTreeMap<String, String> = BTreeMap::new();
    for (i, e) in errors.iter().enumerate() {
        let variant = names::error_variant(&e.code);
        let case = ErrorCaseIr {
            status: e.status,
            message: e.message.clone(),
            when: e.description.clone(),
            in_result: e.in_result,
        };
        if let Some(v) = out.iter_mut().find(|v| v.code == e.code) {
            v.cases.push(case);
            continue;
        }
        if let Some(other) = by_variant.insert(variant.clone(), e.code.clone()) {
            diags.push(
                Diagnostic::new(
                    path,
                    format!("{place}[{i}] {}", e.code),
                    format!(
                        "codes \"{other}\" and \"{}\" both become the variant {variant}",
                        e.code
                    ),
                )
                .hint("codes differing only in case or separators cannot both be variants"),
            );
            continue;
        }
        out.push(ErrorVariantIr {
            variant,
            code: e.code.clone(),
            cases: vec![case],
        });
    }
    out
}

/// Wire type text for doc tables (`integer`, `string | integer`, `array of object`).
fn wire_type(ty: &TypeExpr, items: Option<&Items>) -> String {
    match ty {
        TypeExpr::One(t) if t == "array" || t == "map" => match items {
            Some(Items::Nested(n)) => {
                format!(
                    "{t} of {}",
                    wire_type(&TypeExpr::One(n.ty.clone()), n.items.as_ref())
                )
            }
            Some(Items::Union(members)) => format!("{t} of {}", members.join(" | ")),
            other => format!("{t} of {}", other.map(Items::name).unwrap_or("any")),
        },
        TypeExpr::One(t) => t.clone(),
        TypeExpr::Union(v) => v.join(" | "),
    }
}

/// Lowering context for one file.
struct Cx<'a> {
    path: PathBuf,
    named: &'a BTreeMap<String, String>,
    types: Vec<TypeDef>,
    taken: BTreeMap<String, PathBuf>,
    diags: &'a mut Vec<Diagnostic>,
}

impl<'a> Cx<'a> {
    /// A context for one file; it holds the namespace's taken names until given back.
    fn new(
        path: &Path,
        named: &'a BTreeMap<String, String>,
        taken: &mut BTreeMap<String, PathBuf>,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Cx {
            path: path.to_path_buf(),
            named,
            types: Vec::new(),
            taken: std::mem::take(taken),
            diags,
        }
    }

    /// Claims a type name in the namespace; reports a collision.
    fn take(&mut self, name: &str, place: &str) {
        if let Some(other) = self.taken.get(name) {
            let d = Diagnostic::new(&self.path, place, format!("the Rust type name {name} is already used by {}", other.display()))
                .hint("two spec items produce the same type name; rename with rust_name: or report a naming-rule gap");
            self.diags.push(d);
        } else {
            self.taken.insert(name.to_string(), self.path.clone());
        }
    }

    fn fields(&mut self, owner: &str, place: &str, fields: &[Field], role: Role) -> Vec<FieldIr> {
        let mut idents: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            let here = format!("{place}[{i}] {}", f.name);
            let base = f.rust_name.clone().unwrap_or_else(|| names::snake(&f.name));
            if let Some(other) = idents.insert(base.clone(), f.name.clone()) {
                self.diags.push(
                    Diagnostic::new(
                        &self.path,
                        &here,
                        format!(
                            "\"{other}\" and \"{}\" both become the Rust field {base}",
                            f.name
                        ),
                    )
                    .hint("give one of them rust_name: with a distinct snake_case name"),
                );
                continue;
            }
            if let Some(r) = &f.rust_name {
                if names::snake(r) != *r {
                    self.diags.push(
                        Diagnostic::new(
                            &self.path,
                            &here,
                            format!("rust_name \"{r}\" is not snake_case"),
                        )
                        .hint(format!("use \"{}\"", names::snake(r))),
                    );
                }
            }
            if !names::is_ident(&names::field_ident(&base)) {
                self.diags.push(
                    Diagnostic::new(
                        &self.path,
                        &here,
                        format!("\"{}\" gives no usable Rust name ({base})", f.name),
                    )
                    .hint("add rust_name: with a snake_case name"),
                );
                continue;
            }
            let ty = if f.secret {
                RustTy::Secret
            } else {
                self.ty(owner, &here, f, role)
            };
            let inner = match &ty {
                RustTy::Vec(i) => i.as_ref(),
                other => other,
            };
            // Param objects and named types (which may be sent) have a `check` of their own.
            let nested_check = role == Role::Param
                && matches!(inner, RustTy::Named(n) if self.named.values().any(|p| p == n)
                    || self.types.iter().any(|t| matches!(t, TypeDef::Struct(s) if s.name == *n && s.role == Role::Param)));
            out.push(FieldIr {
                wire: f.name.clone(),
                ident: names::field_ident(&base),
                ty,
                presence: match (f.required, f.nullable) {
                    (Required::Yes, _) => Presence::Required,
                    (Required::Webhook, _) => Presence::WebhookOnly,
                    (Required::No, true) => Presence::Nullable,
                    (Required::No, false) => Presence::Optional,
                },
                constraints: Constraints {
                    min: f.min,
                    max: f.max,
                    max_length: f.max_length,
                    max_items: f.max_items,
                    required_if: f.required_if.as_ref().and_then(|c| {
                        fields.iter().find(|s| s.name == c.name).map(|s| {
                            let base = s.rust_name.clone().unwrap_or_else(|| names::snake(&s.name));
                            RequiredIf {
                                sibling: FieldName {
                                    wire: c.name.clone(),
                                    ident: names::field_ident(&base),
                                },
                                value: c.value.to_string(),
                            }
                        })
                    }),
                },
                encoding: f.encoding.map(|e| match e {
                    crate::spec::Encoding::Yn => BoolEncoding::Yn,
                    crate::spec::Encoding::Int => BoolEncoding::Int,
                }),
                wire_type: wire_type(&f.ty, f.items.as_ref()),
                doc: doc_with_values(
                    f.description.as_deref(),
                    f.values.as_deref(),
                    f.default.as_ref(),
                ),
                deprecated: f.deprecated.clone(),
                secret: f.secret,
                nested_check,
            });
        }
        out
    }

    fn result(&mut self, owner: &str, r: &ResultSpec) -> RustTy {
        let f = r.as_field();
        let t = self.ty(owner, "result", &f, Role::Result);
        if r.nullable {
            RustTy::Option(Box::new(t))
        } else {
            t
        }
    }

    /// The Rust type of a field; generates nested types named `{owner}{Field}`.
    fn ty(&mut self, owner: &str, place: &str, f: &Field, role: Role) -> RustTy {
        let type_name = format!("{owner}{}", names::camel(&f.name));
        self.ty_named(&type_name, place, f, role)
    }

    /// The Rust type of a field whose generated type, if any, is named `type_name`.
    fn ty_named(&mut self, type_name: &str, place: &str, f: &Field, role: Role) -> RustTy {
        let type_name = type_name.to_string();
        match &f.ty {
            TypeExpr::Union(members) => {
                let mut variants: Vec<UnionVariantIr> = Vec::new();
                for m in members {
                    let ty = match BaseType::parse(m) {
                        Some(BaseType::Array) => RustTy::Vec(Box::new(
                            f.items
                                .as_ref()
                                .map(|i| scalar(i.name()))
                                .unwrap_or(RustTy::Json),
                        )),
                        _ => scalar(m),
                    };
                    let variant = names::camel(m);
                    if !variants.iter().any(|u| u.variant == variant || u.ty == ty) {
                        variants.push(UnionVariantIr { variant, ty });
                    }
                }
                self.take(&type_name, place);
                self.types.push(TypeDef::Union(UnionIr {
                    name: type_name.clone(),
                    doc: format!("A value of `{}`: one of {}.", f.name, members.join(", ")),
                    variants,
                    role,
                    ordered: false,
                }));
                RustTy::Named(type_name)
            }
            TypeExpr::One(t) => match BaseType::parse(t) {
                Some(BaseType::Array) => RustTy::Vec(Box::new(self.item(
                    &format!("{type_name}Item"),
                    place,
                    f,
                    role,
                ))),
                Some(BaseType::Map) => RustTy::Map(Box::new(self.item(
                    &format!("{type_name}Item"),
                    place,
                    f,
                    role,
                ))),
                _ => self.single(&type_name, place, t, f, role),
            },
        }
    }

    fn item(&mut self, type_name: &str, place: &str, f: &Field, role: Role) -> RustTy {
        match &f.items {
            Some(nested @ Items::Nested(_)) => {
                let inner = nested.as_field(&f.name, f);
                self.ty_named(type_name, place, &inner, role)
            }
            Some(Items::Union(members)) => self.item_union(type_name, place, f, members, role),
            other => {
                let it = other.as_ref().map(Items::name).unwrap_or("any");
                self.single(type_name, place, it, f, role)
            }
        }
    }

    fn single(&mut self, type_name: &str, place: &str, t: &str, f: &Field, role: Role) -> RustTy {
        if let Some(path) = self.named.get(t) {
            return RustTy::Named(path.clone());
        }
        match BaseType::parse(t) {
            Some(BaseType::Object) => match &f.fields {
                Some(fields) => {
                    self.take(type_name, place);
                    let lowered = self.fields(type_name, &format!("{place} fields"), fields, role);
                    let one_of = one_of_groups(&f.one_of, &lowered);
                    let doc = match &f.description {
                        Some(d) if !d.trim().is_empty() => {
                            format!("The `{}` object: {}", f.name, d.trim())
                        }
                        _ => format!("The `{}` object.", f.name),
                    };
                    self.types.push(TypeDef::Struct(StructIr {
                        name: type_name.to_string(),
                        doc,
                        fields: lowered,
                        one_of,
                        role,
                    }));
                    RustTy::Named(type_name.to_string())
                }
                None => RustTy::Json,
            },
            Some(BaseType::Char) if f.encoding.is_some() => RustTy::Bool,
            Some(b) if b.is_text() => match &f.values {
                Some(values) => self.enumeration(type_name, place, f, values),
                None => RustTy::Str,
            },
            _ => scalar(t),
        }
    }

    /// A union of items: an enum with a variant per member (named after it: `Integer`,
    /// `DialogUser`), decoded by trying the members in order.
    fn item_union(
        &mut self,
        type_name: &str,
        place: &str,
        f: &Field,
        members: &[String],
        role: Role,
    ) -> RustTy {
        let variants = members
            .iter()
            .map(|m| UnionVariantIr {
                variant: names::camel(m),
                ty: self
                    .named
                    .get(m)
                    .map_or_else(|| scalar(m), |p| RustTy::Named(p.clone())),
            })
            .collect();
        self.take(type_name, place);
        self.types.push(TypeDef::Union(UnionIr {
            name: type_name.to_string(),
            doc: format!(
                "An item of `{}`: one of {}, tried in that order.",
                f.name,
                members.join(", ")
            ),
            variants,
            role,
            ordered: true,
        }));
        RustTy::Named(type_name.to_string())
    }

    fn enumeration(
        &mut self,
        type_name: &str,
        place: &str,
        f: &Field,
        values: &[EnumValue],
    ) -> RustTy {
        let mut variants: Vec<EnumVariantIr> = Vec::new();
        for v in values {
            let wire = match v.value() {
                Scalar::Str(s) => s.clone(),
                Scalar::Int(i) => i.to_string(),
            };
            let variant = names::camel(&wire);
            if variant == "Other" || variants.iter().any(|v| v.variant == variant) {
                self.diags.push(Diagnostic::new(&self.path, place, format!("value \"{wire}\" becomes the variant {variant}, which is already taken")).hint("values differing only in case or separators, or the value \"other\", cannot be enum variants; describe them in the description instead"));
                continue;
            }
            variants.push(EnumVariantIr {
                variant,
                wire,
                doc: v.description().unwrap_or("").trim().to_string(),
            });
        }
        self.take(type_name, place);
        self.types.push(TypeDef::Enum(EnumIr {
            name: type_name.to_string(),
            doc: format!("Allowed values of `{}`.", f.name),
            variants,
        }));
        RustTy::Named(type_name.to_string())
    }
}

/// `one_of` groups by their fields' names; names not found were reported by validation.
fn one_of_groups(groups: &[Vec<String>], fields: &[FieldIr]) -> Vec<OneOfGroup> {
    groups
        .iter()
        .map(|g| OneOfGroup {
            members: g
                .iter()
                .filter_map(|n| fields.iter().find(|f| f.wire == *n).map(FieldIr::name))
                .collect(),
        })
        .collect()
}

/// The Rust type of a built-in scalar type name (unknown names were reported by validation).
fn scalar(t: &str) -> RustTy {
    match BaseType::parse(t) {
        Some(BaseType::Integer | BaseType::Timestamp) => RustTy::Int,
        Some(BaseType::Double) => RustTy::Float,
        Some(BaseType::Boolean) => RustTy::Bool,
        Some(BaseType::Any | BaseType::Object | BaseType::Array | BaseType::Map) => RustTy::Json,
        _ => RustTy::Str,
    }
}

fn doc_with_values(
    desc: Option<&str>,
    values: Option<&[EnumValue]>,
    default: Option<&serde_yaml::Value>,
) -> String {
    let mut s = desc.unwrap_or("").trim().to_string();
    if let Some(values) = values {
        let list: Vec<String> = values
            .iter()
            .map(|v| match v.description() {
                Some(d) => format!("`{}` ({})", v.value(), d.trim()),
                None => format!("`{}`", v.value()),
            })
            .collect();
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&format!("Values: {}.", list.join(", ")));
    }
    if let Some(d) = default {
        let text = match d {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&format!("Default: `{text}`."));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::docs_url;

    #[test]
    fn docs_urls_point_at_the_html_page_and_keep_the_anchor() {
        assert_eq!(
            docs_url("api-reference/x/y.md"),
            "https://apidocs.bitrix24.com/api-reference/x/y.html"
        );
        assert_eq!(
            docs_url("api-reference/x/events.md#onx"),
            "https://apidocs.bitrix24.com/api-reference/x/events.html#onx"
        );
        assert_eq!(docs_url("limits"), "https://apidocs.bitrix24.com/limits");
    }
}
