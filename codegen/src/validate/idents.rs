//! Identifier rules: every name the generator will emit (modules, types, enum and error
//! variants, scope variants, setters) is worked out here with the lowering's own naming
//! functions ([`crate::names`]) and checked against Rust keywords and against the names the
//! generated code uses unqualified, so that a spec which passes `check` always gives code that
//! parses and compiles. Field names need no check here: keywords become raw identifiers
//! (`r#type`) or get a trailing `_` (`self_`), and a name that cannot be a field at all is
//! reported by the lowering.

use super::Validator;
use crate::diag::Diagnostic;
use crate::names;
use crate::spec::{EnumValue, ErrorSpec, Field, Items, MethodSpec, Required, TypeExpr};
use crate::spec::{Scalar, STRING_TYPES};
use std::path::Path;

/// Names at the root of `bitrix_api`, beside the namespace modules: its own modules and those
/// of the runtime it re-exports (and the generated `types`), and the crates either uses by
/// plain path. A namespace module of one of these names would clash with it, or silently
/// shadow the runtime's.
pub(crate) const ROOT_NAMES: &[&str] = &[
    "__private",
    "bitrix_api_runtime",
    "poller",
    "runtime",
    "batch",
    "bulk",
    "client",
    "envelope",
    "error",
    "events",
    "install",
    "limits",
    "list",
    "method",
    "oauth",
    "payload",
    "presend",
    "secret",
    "transport",
    "types",
    "alloc",
    "core",
    "std",
    "axum",
    "bytes",
    "futures_core",
    "futures_util",
    "reqwest",
    "rustls",
    "rustls_platform_verifier",
    "serde",
    "serde_json",
    "tokio",
    "tracing",
    "url",
];

/// Names the generated code uses without a path: the standard prelude (types, traits,
/// variants and the derive macros), and the generated deserializer's own local names (`V`,
/// and the type parameters `D`, `A`). A generated type of one of these names would shadow it
/// in its module (a struct `Option` breaks every `Option::is_none` and `None` there).
pub(crate) const UNQUALIFIED: &[&str] = &[
    "A",
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "D",
    "Debug",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Hash",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "V",
    "Vec",
];

/// Whether `s` can be written as a plain Rust identifier (not a keyword of any kind).
fn is_ident(s: &str) -> bool {
    names::is_ident(s)
}

/// Why a generated type cannot have this name, if it cannot.
pub(crate) fn type_name_problem(name: &str) -> Option<String> {
    if !is_ident(name) {
        Some(format!(
            "the Rust type name `{name}` is a keyword or not an identifier"
        ))
    } else if UNQUALIFIED.contains(&name) {
        Some(format!(
            "the Rust type name `{name}` would shadow the `{name}` that generated code uses unqualified"
        ))
    } else {
        None
    }
}

/// Why a namespace module cannot have this name, if it cannot.
pub(crate) fn module_problem(module: &str) -> Option<String> {
    if !is_ident(module) {
        Some(format!(
            "the namespace module `{module}` is a Rust keyword or not an identifier"
        ))
    } else if ROOT_NAMES.contains(&module) {
        Some(format!(
            "the namespace module `{module}` would clash with `bitrix_api::{module}`"
        ))
    } else {
        None
    }
}

/// Why an enum variant cannot have this name, if it cannot.
pub(crate) fn variant_problem(variant: &str) -> Option<String> {
    (!is_ident(variant))
        .then(|| format!("the Rust variant `{variant}` is a keyword or not an identifier"))
}

/// The hint for a nested type, whose name joins its owner's and its field's wire names.
const NESTED: &str = "a nested type is named after its owner and field wire names; report it \
     as a naming-rule gap, see Identifiers in docs/spec-format.md";

/// The hint for a name that comes from a wire name (no spec key renames those).
const NO_RENAME: &str = "no spec key renames a wire name; report it as a naming-rule gap, \
     see Identifiers in docs/spec-format.md";

impl Validator {
    /// The names one method brings: its module, request struct, error enum and variants, and
    /// the types and setters of its params and result.
    pub(super) fn method_idents(&mut self, path: &Path, m: &MethodSpec) {
        let place = names::method_place(&m.method, m.namespace.as_deref());
        if let Some(p) = module_problem(&place.module) {
            let at = if m.namespace.is_some() {
                "namespace"
            } else {
                "method"
            };
            self.push(Diagnostic::new(path, at, p).hint(NO_RENAME));
        }
        let name = place.struct_name;
        self.type_name(path, "method", &name, NO_RENAME);
        if !m.errors.is_empty() {
            self.type_name(path, "errors", &format!("{name}Error"), NO_RENAME);
        }
        self.error_variants(path, "errors", &m.errors);
        self.walk_fields(path, &name, "params", &m.params, true);
        let result = m.result.as_field();
        self.walk_field(path, &name, "result", &result, false);
    }

    /// The struct of a named type (common or of one module) and the types of its fields.
    pub(super) fn named_type_idents(&mut self, path: &Path, name: &str, fields: &[Field]) {
        let here = format!("types.{name}");
        let sname = names::camel(name);
        self.type_name(path, &here, &sname, "rename the type");
        self.walk_fields(path, &sname, &here, fields, true);
    }

    /// The variants of `Scope`.
    pub(super) fn scope_idents(&mut self, path: &Path, scopes: &[String]) {
        for wire in scopes {
            if let Some(p) = variant_problem(&names::camel(wire)) {
                self.push(
                    Diagnostic::new(path, format!("scopes.{wire}"), format!("scope: {p}"))
                        .hint(NO_RENAME),
                );
            }
        }
    }

    /// The variants of an error enum (a method's, or `SystemError`).
    pub(super) fn error_variants(&mut self, path: &Path, place: &str, errors: &[ErrorSpec]) {
        for (i, e) in errors.iter().enumerate() {
            if let Some(p) = variant_problem(&names::error_variant(&e.code)) {
                self.push(
                    Diagnostic::new(path, format!("{place}[{i}] {}", e.code), p).hint(NO_RENAME),
                );
            }
        }
    }

    /// Reports a generated type name that cannot be used.
    fn type_name(&mut self, path: &Path, place: &str, name: &str, hint: &str) {
        self.emitted_types.insert(name.to_string());
        if let Some(p) = type_name_problem(name) {
            self.push(Diagnostic::new(path, place, p).hint(hint));
        }
    }

    /// The fields of a struct named `owner`; `sent` when it gets a builder (params and
    /// named types), whose setters are named after the optional fields.
    fn walk_fields(&mut self, path: &Path, owner: &str, place: &str, fields: &[Field], sent: bool) {
        for (i, f) in fields.iter().enumerate() {
            let here = format!("{place}[{i}] {}", f.name);
            let base = f.rust_name.clone().unwrap_or_else(|| names::snake(&f.name));
            if sent && f.required != Required::Yes && base == "new" {
                self.push(
                    Diagnostic::new(
                        path,
                        &here,
                        "the setter of this optional field would be a second `new`, beside the constructor",
                    )
                    .hint("add rust_name: with another snake_case name, as docs/spec-format.md shows"),
                );
            }
            self.walk_field(path, owner, &here, f, sent);
        }
    }

    /// The types a field generates, named as the lowering names them: `{owner}{Field}`.
    fn walk_field(&mut self, path: &Path, owner: &str, place: &str, f: &Field, sent: bool) {
        let type_name = format!("{owner}{}", names::camel(&f.name));
        self.walk_named(path, &type_name, place, f, sent);
    }

    fn walk_named(&mut self, path: &Path, type_name: &str, place: &str, f: &Field, sent: bool) {
        match &f.ty {
            TypeExpr::Union(_) => {
                self.type_name(path, place, type_name, NESTED);
            }
            TypeExpr::One(t) if t == "array" || t == "map" => match &f.items {
                Some(nested @ Items::Nested(_)) => {
                    let inner = nested.as_field(&f.name, f);
                    self.walk_named(path, &format!("{type_name}Item"), place, &inner, sent);
                }
                Some(Items::Union(_)) => {
                    self.type_name(path, place, &format!("{type_name}Item"), NESTED);
                }
                other => {
                    let it = other.as_ref().map(Items::name).unwrap_or("any");
                    self.walk_single(path, &format!("{type_name}Item"), place, it, f, sent);
                }
            },
            TypeExpr::One(t) => self.walk_single(path, type_name, place, t, f, sent),
        }
    }

    fn walk_single(
        &mut self,
        path: &Path,
        type_name: &str,
        place: &str,
        t: &str,
        f: &Field,
        sent: bool,
    ) {
        if self.named_types.contains(t) || self.local_types.contains(t) {
            return;
        }
        match (t, &f.fields, &f.values) {
            ("object", Some(fields), _) => {
                self.type_name(path, place, type_name, NESTED);
                self.walk_fields(path, type_name, &format!("{place} fields"), fields, sent);
            }
            ("char", _, _) if f.encoding.is_some() => {}
            (s, _, Some(values)) if STRING_TYPES.contains(&s) || s == "text" => {
                self.type_name(path, place, type_name, NESTED);
                self.enum_variants(path, place, values);
            }
            _ => {}
        }
    }

    /// The variants of a string enumeration.
    fn enum_variants(&mut self, path: &Path, place: &str, values: &[EnumValue]) {
        for v in values {
            let wire = match v.value() {
                Scalar::Str(s) => s.clone(),
                Scalar::Int(i) => i.to_string(),
            };
            if let Some(p) = variant_problem(&names::camel(&wire)) {
                self.push(
                    Diagnostic::new(path, place, format!("value \"{wire}\": {p}")).hint(
                        "leave the value out of values: and describe it in the description instead",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over ASCII words, the check answers as `syn` does; non-ASCII names are refused
    /// (stricter than Rust, see `names::is_ident`).
    #[cfg(feature = "format")]
    #[test]
    fn the_ascii_shortcut_answers_as_syn_does() {
        let words = [
            "", "_", "__", "_a", "a", "a1", "1a", "9", "A_b", "Self_", "union", "r", "gen", "as",
            "fn", "self", "Self", "super", "crate", "try", "yield", "async", "abstract",
        ];
        for w in words {
            let by_syn = !names::is_keyword(w) && syn::parse_str::<syn::Ident>(w).is_ok();
            assert_eq!(is_ident(w), by_syn, "{w:?}");
        }
        assert!(!is_ident("Привет") && !is_ident("a-b") && !is_ident("r#a b"));
    }

    #[test]
    fn keywords_and_prelude_names_are_refused_where_they_matter() {
        assert!(type_name_problem("Option").is_some());
        assert!(type_name_problem("Self").is_some());
        assert!(type_name_problem("V").is_some());
        assert!(type_name_problem("BotRegister").is_none());
        assert!(module_problem("fn").is_some());
        assert!(module_problem("self").is_some());
        assert!(module_problem("gen").is_some());
        assert!(module_problem("types").is_some());
        assert!(module_problem("1c").is_some());
        assert!(module_problem("").is_some());
        assert!(module_problem("imbot_v2").is_none());
        assert!(
            module_problem("union").is_none(),
            "a weak keyword is a fine module name"
        );
        assert!(variant_problem(&names::camel("self")).is_some());
        assert!(variant_problem(&names::camel("crate")).is_none());
    }

    /// `ROOT_NAMES` keeps up with the modules and dependencies of `bitrix-api` and of the
    /// runtime it re-exports (the namespace crates it depends on aside).
    #[test]
    fn root_names_cover_the_runtime_crate() {
        for dir in ["../bitrix-api", "../runtime"] {
            root_names_cover(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir));
        }
    }

    fn root_names_cover(root: &Path) {
        let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
        for line in lib.lines() {
            let line = line.trim().trim_start_matches("pub ");
            if let Some(m) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
                assert!(ROOT_NAMES.contains(&m), "add {m} to ROOT_NAMES");
            }
        }
        let toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let deps = toml
            .split("[dependencies]")
            .nth(1)
            .and_then(|s| s.split("\n[").next())
            .unwrap();
        for line in deps
            .lines()
            .filter(|l| l.contains('=') && !l.starts_with('#'))
        {
            let name = line.split('=').next().unwrap().trim().replace('-', "_");
            if name.starts_with("bitrix_api_") && name != "bitrix_api_runtime" {
                continue; // a namespace crate, re-exported under its module's own name
            }
            assert!(
                ROOT_NAMES.contains(&name.as_str()),
                "add {name} to ROOT_NAMES"
            );
        }
    }
}
