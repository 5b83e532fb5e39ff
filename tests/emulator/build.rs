//! Writes `OUT_DIR/spec_table.json`: for every method of `spec/`, what the emulator's generic
//! answer needs (scopes, params with their wire kind and the error for a missing or mistyped
//! one, the result example, the documented errors), and the system errors.
//!
//! Decided at build time, from the generator's IR (the same reading of the spec as the rest of
//! the project), so the emulator needs no spec directory at run time and does not link the
//! generator; the table is embedded and parsed once, on first use.

use std::path::PathBuf;

use bitrix_codegen::example::{result_example, Resolver};
use bitrix_codegen::ir::{
    Api, BoolEncoding, ErrorVariantIr, FieldIr, MethodIr, NamespaceIr, Presence, RustTy, TypeDef,
};
use serde_json::{json, Value};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let spec = manifest.join("../../spec");
    let api = bitrix_codegen::Generator::new(&spec).check_in_build_script();
    let mut methods = Vec::new();
    for ns in api.namespaces.values() {
        for m in &ns.methods {
            methods.push(method(&api, ns, m));
        }
    }
    let table = json!({
        "system_errors": errors(&api.system_errors),
        "methods": methods,
    });
    let text = serde_json::to_string(&table).expect("a JSON value serialises");
    let path = out.join("spec_table.json");
    if let Err(e) = bitrix_codegen::render::write_if_changed(&path, &text) {
        eprintln!("error: cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}

fn method(api: &Api, ns: &NamespaceIr, m: &MethodIr) -> Value {
    let types = Resolver::new(api, ns, m);
    let own = m.errors.as_ref().map_or(&[][..], |e| &e.variants[..]);
    let params: Vec<Value> = m.params.iter().map(|f| param(&types, f, own)).collect();
    let result = serde_json::to_value(result_example(api, ns, m)).unwrap_or(Value::Null);
    json!({
        "name": m.wire,
        "scopes": m.scopes.iter().map(|s| s.wire.as_str()).collect::<Vec<_>>(),
        "params": params,
        "result": result,
        "errors": errors(own),
    })
}

/// Every documented case, in documentation order.
fn errors(variants: &[ErrorVariantIr]) -> Vec<Value> {
    variants
        .iter()
        .flat_map(|v| {
            v.cases.iter().map(|c| {
                json!({
                    "code": v.code,
                    "status": c.status,
                    "message": c.message.clone().unwrap_or_default(),
                    "in_result": c.in_result,
                })
            })
        })
        .collect()
}

fn param(types: &Resolver<'_>, f: &FieldIr, own: &[ErrorVariantIr]) -> Value {
    let required = match f.presence {
        Presence::Required => "yes",
        Presence::WebhookOnly => "webhook",
        Presence::Optional | Presence::Nullable => "no",
    };
    json!({
        "name": f.wire,
        "required": required,
        "kind": kind(types, &f.ty, f.encoding),
        "missing": missing_error(&f.wire, own),
        "wrong_type": wrong_type_error(&f.wire, own),
    })
}

/// The wire kind the emulator checks a value against.
fn kind(types: &Resolver<'_>, ty: &RustTy, encoding: Option<BoolEncoding>) -> &'static str {
    match ty {
        RustTy::Int => "integer",
        RustTy::Float => "number",
        RustTy::Str | RustTy::Secret => "scalar",
        RustTy::Bool => match encoding {
            Some(BoolEncoding::Yn) => "yn",
            Some(BoolEncoding::Int) => "flag",
            None => "boolean",
        },
        RustTy::Json => "any",
        RustTy::Vec(_) => "list",
        RustTy::Map(_) => "object",
        RustTy::Option(inner) => kind(types, inner, encoding),
        RustTy::Named(path) => match types.resolve(path) {
            Some(TypeDef::Struct(_)) => "object",
            Some(TypeDef::Enum(_)) => "scalar",
            Some(TypeDef::Union(_)) | None => "any",
        },
    }
}

/// The method's documented error for a missing `name`, by the two rules the docs follow
/// throughout: a code `<NAME>_EMPTY`, or the framework's `Argument '<NAME>' is null or empty`.
fn missing_error(name: &str, own: &[ErrorVariantIr]) -> Value {
    let code = format!("{}_EMPTY", name.to_ascii_uppercase());
    let messages = [
        format!("Argument '{name}' is null or empty"),
        format!("Argument {name} is null or empty"),
    ];
    find_case(own, |code_here, message| {
        code_here == code || messages.iter().any(|m| m == message)
    })
}

/// The method's documented error for `name` of the wrong type: the framework's
/// `The value of an argument '<NAME>' has an invalid type`.
fn wrong_type_error(name: &str, own: &[ErrorVariantIr]) -> Value {
    let messages = [
        format!("The value of an argument '{name}' has an invalid type"),
        format!("The value of an argument {name} has an invalid type"),
    ];
    find_case(own, |_, message| messages.iter().any(|m| m == message))
}

fn find_case(own: &[ErrorVariantIr], matches: impl Fn(&str, &str) -> bool) -> Value {
    for v in own {
        for c in &v.cases {
            let message = c.message.as_deref().unwrap_or("");
            if !c.in_result && matches(&v.code, message) {
                return json!({ "code": v.code, "status": c.status, "message": message, "in_result": false });
            }
        }
    }
    Value::Null
}
