//! Validation: checks a loaded [`SpecSet`] for problems the YAML parser cannot see
//! (unknown types and scopes, misplaced keys, impossible statuses, repeated errors).
//! Every problem is collected; nothing stops at the first. The rules for one field live in
//! [`field`], one small function per rule; the names the generator will emit are checked in
//! [`idents`].

mod field;
mod idents;

use crate::diag::Diagnostic;
use crate::load::SpecSet;
use crate::spec::{
    EnumValue, ErrorSpec, EventSpec, Field, MethodSpec, Required, ResultSpec, Scalar, TypeExpr,
    BUILTIN_TYPES, STRING_TYPES,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Checks the whole set; returns every problem found.
pub fn validate(set: &SpecSet) -> Vec<Diagnostic> {
    let mut v = validate_base(set);
    validate_members(&mut v, set);
    v.diags
}

/// The checks of everything but methods and events: scopes, system errors, common types and
/// each module's named types (their fields and identifiers). What they find depends on
/// nothing else, so the returned validator (its diagnostics and what it knows) can be kept
/// and cloned to check members over this base ([`validate_members`]).
pub(crate) fn validate_base(set: &SpecSet) -> Validator {
    let mut v = Validator::new(set);
    if let Some(s) = &set.scopes {
        let wires: Vec<String> = s.value.scopes.keys().cloned().collect();
        v.scope_idents(&s.path, &wires);
    }
    if let Some(errs) = &set.system_errors {
        v.errors(&errs.path, &errs.value.errors);
        v.error_variants(&errs.path, "errors", &errs.value.errors);
    }
    if let Some(types) = &set.types {
        for (name, t) in &types.value.types {
            if BUILTIN_TYPES.contains(&name.as_str()) {
                v.diags.push(Diagnostic::new(
                    &types.path,
                    format!("types.{name}"),
                    "a named type cannot reuse a built-in type name",
                ));
            }
            v.fields(&types.path, &format!("types.{name}"), &t.fields, false);
            v.named_type_idents(&types.path, name, &t.fields);
        }
    }
    for (module, types) in &set.module_types {
        v.local_types = v.module_types.get(module).cloned().unwrap_or_default();
        for (name, t) in &types.value.types {
            if BUILTIN_TYPES.contains(&name.as_str()) || v.named_types.contains(name) {
                v.push(
                    Diagnostic::new(
                        &types.path,
                        format!("types.{name}"),
                        "a module type cannot reuse a built-in or common type name",
                    )
                    .hint("pick another name"),
                );
            }
            v.fields(&types.path, &format!("types.{name}"), &t.fields, false);
            v.named_type_idents(&types.path, name, &t.fields);
        }
    }
    v
}

/// The checks of the methods and events of `set`, and those that depend on them (a module's
/// types file needs a method or event in that module), through a validator that has checked
/// the rest of `set` ([`validate_base`]).
pub(crate) fn validate_members(v: &mut Validator, set: &SpecSet) {
    let namespaces: BTreeSet<String> = set
        .methods
        .values()
        .map(|m| crate::names::method_place(&m.value.method, m.value.namespace.as_deref()).module)
        .chain(set.events.values().map(|e| e.value.namespace.clone()))
        .collect();
    for (module, types) in &set.module_types {
        if !namespaces.contains(module) {
            let d = Diagnostic::new(
                &types.path,
                "",
                format!("no method of the spec is in module \"{module}\""),
            );
            v.push(
                d.suggest(module, namespaces.iter().map(String::as_str))
                    .hint_if_none("name the file after a namespace module, e.g. imbot_v2.yaml"),
            );
        }
    }
    for m in set.methods.values() {
        let module =
            crate::names::method_place(&m.value.method, m.value.namespace.as_deref()).module;
        v.local_types = v.module_types.get(&module).cloned().unwrap_or_default();
        v.method(&m.path, &m.value);
        if let Some(list) = &m.value.list {
            if let Err(problems) = crate::list_key::resolve(&m.value, list, set, &module) {
                for (place, message, hint) in problems {
                    v.push(Diagnostic::new(&m.path, place, message).hint(hint));
                }
            }
        }
    }
    for e in set.events.values() {
        v.local_types = v
            .module_types
            .get(&e.value.namespace)
            .cloned()
            .unwrap_or_default();
        v.event(&e.path, &e.value);
    }
}

/// What the checks know of a spec (its scopes and type names) and what they found so far.
#[derive(Debug, Clone)]
pub(crate) struct Validator {
    scopes: BTreeSet<String>,
    named_types: BTreeSet<String>,
    /// The named types of each module with a types file, by module.
    module_types: BTreeMap<String, BTreeSet<String>>,
    /// Named types of the module being checked (`types/<module>.yaml`).
    local_types: BTreeSet<String>,
    /// Every generated type name met by the identifier checks (for the test that keeps them
    /// in step with the lowering).
    emitted_types: BTreeSet<String>,
    /// The problems found.
    pub(crate) diags: Vec<Diagnostic>,
}

impl Validator {
    /// A validator knowing the spec's scopes and common type names.
    fn new(set: &SpecSet) -> Self {
        Validator {
            scopes: set
                .scopes
                .as_ref()
                .map(|s| s.value.scopes.keys().cloned().collect())
                .unwrap_or_default(),
            named_types: set
                .types
                .as_ref()
                .map(|t| t.value.types.keys().cloned().collect())
                .unwrap_or_default(),
            module_types: set
                .module_types
                .iter()
                .map(|(m, t)| (m.clone(), t.value.types.keys().cloned().collect()))
                .collect(),
            local_types: BTreeSet::new(),
            emitted_types: BTreeSet::new(),
            diags: Vec::new(),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn method(&mut self, path: &Path, m: &MethodSpec) {
        let segs: Vec<&str> = m.method.split('.').collect();
        // One segment (`scope`, `profile`) names no module of its own: `namespace` must place it.
        let min_segs = if m.namespace.is_some() { 1 } else { 2 };
        if segs.len() < min_segs
            || segs
                .iter()
                .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            self.push(Diagnostic::new(path, "method", format!("\"{}\" is not a method name", m.method))
                .hint("a wire name has dot-separated segments of letters, digits and _, e.g. imopenlines.dialog.get; a one-segment name (scope) needs a namespace key"));
        }
        if m.summary.trim().is_empty() || m.summary.contains('\n') {
            self.push(
                Diagnostic::new(path, "summary", "summary must be one non-empty line")
                    .hint("put longer text in description"),
            );
        }
        self.scopes_known(path, &m.scopes);
        if let Some(auth) = &m.auth {
            if auth.is_empty() {
                self.push(
                    Diagnostic::new(path, "auth", "auth is empty")
                        .hint("omit it (oauth and webhook) or list the kinds"),
                );
            }
        }
        if !m.docs.ends_with(".md") || m.docs.starts_with('/') || m.docs.contains("..") {
            self.push(Diagnostic::new(path, "docs", format!("\"{}\" is not a page path", m.docs))
                .hint("give the page's path inside the docs repository, e.g. api-reference/imopenlines/....md"));
        }
        self.fields(path, "params", &m.params, true);
        self.one_of(path, "one_of", &m.one_of, &m.params);
        self.result(path, &m.result);
        self.errors(path, &m.errors);
        if m.errors.iter().any(|e| e.in_result) {
            let has_error_field = m.result.fields.as_ref().is_some_and(|f| {
                f.iter().any(|f| {
                    f.name == "error"
                        && matches!(&f.ty, TypeExpr::One(t) if STRING_TYPES.contains(&t.as_str()))
                })
            });
            if m.result.ty != TypeExpr::One("object".into()) || !has_error_field {
                self.push(
                    Diagnostic::new(
                        path,
                        "result",
                        "errors with in_result need an object result with a string field `error`",
                    )
                    .hint("describe the result's error and error_description fields"),
                );
            }
        }
        self.method_idents(path, m);
        self.deviation_reasons(path, &m.deviations);
    }

    /// An event file: its names, scopes, page and the fields of its `data`.
    fn event(&mut self, path: &Path, e: &EventSpec) {
        if e.event.is_empty()
            || !e
                .event
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            self.push(
                Diagnostic::new(
                    path,
                    "event",
                    format!("\"{}\" is not an event name", e.event),
                )
                .hint("give the name as the portal sends it: upper case, e.g. ONIMBOTMESSAGEADD"),
            );
        }
        if crate::names::camel(&e.rust_name) != e.rust_name || !crate::names::is_ident(&e.rust_name)
        {
            self.push(
                Diagnostic::new(
                    path,
                    "rust_name",
                    format!("\"{}\" is not an UpperCamelCase type name", e.rust_name),
                )
                .hint(format!("use \"{}\"", crate::names::camel(&e.rust_name))),
            );
        }
        if crate::names::snake(&e.namespace) != e.namespace || e.namespace.is_empty() {
            self.push(
                Diagnostic::new(
                    path,
                    "namespace",
                    format!("\"{}\" is not a module name", e.namespace),
                )
                .hint("use the snake_case module of the event's methods, e.g. imbot_v2"),
            );
        }
        if e.summary.trim().is_empty() || e.summary.contains('\n') {
            self.push(
                Diagnostic::new(path, "summary", "summary must be one non-empty line")
                    .hint("put longer text in description"),
            );
        }
        self.scopes_known(path, &e.scopes);
        let page = e.docs.split('#').next().unwrap_or("");
        if !page.ends_with(".md") || page.starts_with('/') || page.contains("..") {
            self.push(Diagnostic::new(path, "docs", format!("\"{}\" is not a page path", e.docs))
                .hint("give the page's path inside the docs repository, with #anchor when the page holds several events"));
        }
        self.fields(path, "data", &e.data, false);
        if let Some(v) = &e.data_value {
            if !e.data.is_empty() {
                self.push(
                    Diagnostic::new(
                        path,
                        "data_value",
                        "an event has data or data_value, not both",
                    )
                    .hint("use data for an object's fields, data_value for anything else"),
                );
            }
            self.result(path, v);
            if v.example.is_some() {
                self.push(
                    Diagnostic::new(
                        path,
                        "data_value.example",
                        "example is for a method's result, not an event's data",
                    )
                    .hint("remove it; the conformance test decodes the docs' event examples"),
                );
            }
        }
        self.deviation_reasons(path, &e.deviations);
    }

    /// Every deviation gives its reason.
    fn deviation_reasons(&mut self, path: &Path, deviations: &[crate::spec::Deviation]) {
        for (i, d) in deviations.iter().enumerate() {
            if d.reason.trim().is_empty() {
                self.push(Diagnostic::new(
                    path,
                    format!("deviations[{i}] {}", d.name),
                    "a deviation needs its reason",
                ));
            }
        }
    }

    /// Every scope must be listed in `scopes.yaml`.
    fn scopes_known(&mut self, path: &Path, scopes: &[String]) {
        if scopes.is_empty() {
            self.push(
                Diagnostic::new(path, "scopes", "no scopes listed")
                    .hint("list the scopes from the page's Scope line"),
            );
        }
        for (i, s) in scopes.iter().enumerate() {
            if !self.scopes.contains(s) {
                let d = Diagnostic::new(
                    path,
                    format!("scopes[{i}]"),
                    format!("unknown scope \"{s}\""),
                );
                let d = match crate::diag::closest(s, self.scopes.iter().map(String::as_str)) {
                    Some(best) => d.hint(format!(
                        "did you mean \"{best}\"? known scopes are in spec/scopes.yaml"
                    )),
                    None => d.hint("add it to spec/scopes.yaml if the docs list it"),
                };
                self.push(d);
            }
        }
    }

    fn result(&mut self, path: &Path, r: &ResultSpec) {
        self.field(path, "result", &r.as_field(), false);
    }

    fn fields(&mut self, path: &Path, place: &str, fields: &[Field], is_param: bool) {
        let mut seen = BTreeSet::new();
        for (i, f) in fields.iter().enumerate() {
            let here = format!("{place}[{i}] {}", f.name);
            if !seen.insert(f.name.as_str()) {
                self.push(
                    Diagnostic::new(path, &here, format!("\"{}\" is listed twice", f.name))
                        .hint("remove the repeated entry"),
                );
            }
            if f.name.is_empty() {
                self.push(Diagnostic::new(path, &here, "empty name"));
            }
            self.field(path, &here, f, is_param);
            if let Some(cond) = &f.required_if {
                let sibling = fields.iter().find(|s| s.name == cond.name);
                let scalar = sibling.is_some_and(|s| {
                    matches!(&s.ty, TypeExpr::One(t) if STRING_TYPES.contains(&t.as_str()) || t == "integer")
                        && s.encoding.is_none()
                });
                if !is_param || f.required == Required::Yes {
                    self.push(
                        Diagnostic::new(path, &here, "required_if: is only for optional params")
                            .hint("remove required: true, or required_if:"),
                    );
                } else if sibling.is_none() {
                    let d = Diagnostic::new(
                        path,
                        &here,
                        format!(
                            "required_if names \"{}\", which is not a field here",
                            cond.name
                        ),
                    );
                    self.push(d.suggest(&cond.name, fields.iter().map(|s| s.name.as_str())));
                } else if !scalar {
                    self.push(Diagnostic::new(
                        path,
                        &here,
                        format!(
                            "required_if needs \"{}\" to be a string or integer",
                            cond.name
                        ),
                    ));
                }
            }
        }
    }

    fn known(&self, t: &str) -> bool {
        BUILTIN_TYPES.contains(&t) || self.named_types.contains(t) || self.local_types.contains(t)
    }

    fn unknown_type(&mut self, path: &Path, place: &str, t: &str) {
        let known: Vec<&str> = BUILTIN_TYPES
            .iter()
            .copied()
            .chain(self.named_types.iter().map(String::as_str))
            .chain(self.local_types.iter().map(String::as_str))
            .collect();
        let d = Diagnostic::new(path, place, format!("unknown type \"{t}\""));
        let d = match crate::diag::closest(t, known.iter().copied()) {
            Some(best) => d.hint(format!("did you mean \"{best}\"?")),
            None => d.hint(format!(
                "use one of {} or a type of spec/common/types.yaml",
                BUILTIN_TYPES.join(", ")
            )),
        };
        self.push(d);
    }

    fn one_of(&mut self, path: &Path, place: &str, groups: &[Vec<String>], fields: &[Field]) {
        for (i, g) in groups.iter().enumerate() {
            let here = format!("{place}[{i}]");
            if g.len() < 2 {
                self.push(
                    Diagnostic::new(path, &here, "a one_of group needs at least two names")
                        .hint("a single always-needed param is required: true"),
                );
            }
            for name in g {
                match fields.iter().find(|f| f.name == *name) {
                    None => {
                        let d =
                            Diagnostic::new(path, &here, format!("\"{name}\" is not a field here"));
                        self.push(d.suggest(name, fields.iter().map(|f| f.name.as_str())));
                    }
                    Some(f) if f.required == Required::Yes => {
                        self.push(
                            Diagnostic::new(path, &here, format!("\"{name}\" is required anyway"))
                                .hint("one_of groups name optional fields"),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }

    fn values(
        &mut self,
        path: &Path,
        here: &str,
        scalar: &str,
        values: &[EnumValue],
        encoded_bool: bool,
    ) {
        if encoded_bool {
            self.push(
                Diagnostic::new(path, here, "values: and encoding: cannot be combined")
                    .hint("a Y/N flag is a boolean with encoding: yn; drop values:"),
            );
            return;
        }
        if !(STRING_TYPES.contains(&scalar) || scalar == "integer") {
            self.push(
                Diagnostic::new(path, here, format!("values: is not supported for {scalar}"))
                    .hint("values are for string-like and integer types"),
            );
        }
        if values.is_empty() {
            self.push(Diagnostic::new(path, here, "values: is empty"));
        }
        let mut seen = BTreeSet::new();
        for v in values {
            let key = v.value().to_string();
            if !seen.insert(key.clone()) {
                self.push(Diagnostic::new(
                    path,
                    here,
                    format!("value \"{key}\" is listed twice"),
                ));
            }
            if scalar == "integer" && matches!(v.value(), Scalar::Str(_)) {
                self.push(Diagnostic::new(
                    path,
                    here,
                    format!("value \"{key}\" is not an integer"),
                ));
            }
        }
    }

    fn errors(&mut self, path: &Path, errors: &[ErrorSpec]) {
        let mut seen: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
        for (i, e) in errors.iter().enumerate() {
            let here = format!("errors[{i}] {}", e.code);
            // The empty code is allowed: some pages document answers with `"error": ""`.
            if !e
                .code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                self.push(
                    Diagnostic::new(path, &here, format!("\"{}\" is not an error code", e.code))
                        .hint("codes are letters, digits and _ (or \"\" for an empty code)"),
                );
            }
            if e.code.is_empty() && e.in_result {
                self.push(
                    Diagnostic::new(path, &here, "an error inside the result needs a code").hint(
                        "an empty `error` field in a result means no error; remove in_result:",
                    ),
                );
            }
            if e.code.is_empty() && e.message.as_deref().is_none_or(str::is_empty) {
                self.push(
                    Diagnostic::new(path, &here, "an error with an empty code needs its message")
                        .hint("copy the server's error_description from the page: it is all that tells these errors apart"),
                );
            }
            if e.in_result {
                if e.status != 200 {
                    self.push(
                        Diagnostic::new(
                            path,
                            &here,
                            format!(
                                "an error inside the result comes with HTTP 200, not {}",
                                e.status
                            ),
                        )
                        .hint("set status: 200"),
                    );
                }
            } else if !(400..=599).contains(&e.status) {
                self.push(
                    Diagnostic::new(
                        path,
                        &here,
                        format!("impossible HTTP status {} for an error", e.status),
                    )
                    .hint("errors answer with a 4xx or 5xx status; check the page's error table"),
                );
            }
            if let Some(first) = seen.insert((e.code.clone(), e.message.clone()), i) {
                self.push(
                    Diagnostic::new(
                        path,
                        &here,
                        format!(
                            "error {} with this message is already listed at errors[{first}]",
                            e.code
                        ),
                    )
                    .hint("remove the repeated entry"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_from, Source};
    use std::path::PathBuf;

    const SCOPES: &str = "scopes: {imbot: Chat-bots}\n";
    const ERRORS: &str = "docs: e.md\nerrors: []\n";
    const TYPES: &str = "types: {}\n";

    /// Loads a spec of the three shared files and one method file, and validates it.
    fn check_method(text: &str) -> Vec<Diagnostic> {
        let method = text.lines().next().unwrap().trim_start_matches("method: ");
        let file = format!("s/methods/{method}.yaml");
        let files: BTreeMap<PathBuf, String> = [
            ("s/scopes.yaml", SCOPES),
            ("s/common/errors.yaml", ERRORS),
            ("s/common/types.yaml", TYPES),
            (file.as_str(), text),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
        let (set, diags) = load_from(Source::Memory(&files), Path::new("s"));
        assert_eq!(diags, vec![], "the fixture must load");
        validate(&set)
    }

    /// Was an index out of bounds: `type: []` on the `error` field of an `in_result` error.
    #[test]
    fn an_untyped_error_field_is_reported_not_a_panic() {
        let diags = check_method(
            "method: a.b\nsummary: s\nscopes: [imbot]\ndocs: a.md\n\
             result: {type: object, fields: [{name: error, type: []}]}\n\
             errors: [{code: E, status: 200, in_result: true}]\n",
        );
        let text = crate::diag::report(&diags);
        assert!(text.contains("a union needs at least two types"), "{text}");
        assert!(
            text.contains("need an object result with a string field `error`"),
            "{text}"
        );
    }

    /// Errors documented with an empty code are accepted with their message, not inside a
    /// result, and not without a message.
    #[test]
    fn an_empty_error_code_needs_a_message_and_no_in_result() {
        let head = "method: a.b\nsummary: s\nscopes: [imbot]\ndocs: a.md\n";
        let ok = check_method(&format!(
            "{head}result: {{type: boolean}}\n\
             errors: [{{code: '', status: 400, message: Access denied.}}, {{code: '', status: 400, message: ID is not defined}}]\n"
        ));
        assert_eq!(crate::diag::report(&ok), "");
        let bad = check_method(&format!(
            "{head}result: {{type: object, fields: [{{name: error, type: string}}]}}\n\
             errors: [{{code: '', status: 400}}, {{code: '', status: 200, in_result: true, message: m}}, {{code: 'A B', status: 400}}]\n"
        ));
        let text = crate::diag::report(&bad);
        assert!(
            text.contains("errors[0] : an error with an empty code needs its message"),
            "{text}"
        );
        assert!(
            text.contains("errors[1] : an error inside the result needs a code"),
            "{text}"
        );
        assert!(text.contains("\"A B\" is not an error code"), "{text}");
    }

    /// A union of items holds two or more distinct scalars or named types, without values.
    #[test]
    fn a_union_of_items_is_checked() {
        let head = "method: a.b\nsummary: s\nscopes: [imbot]\ndocs: a.md\n";
        let ok = check_method(&format!(
            "{head}result: {{type: array, items: [integer, string]}}\n"
        ));
        assert_eq!(crate::diag::report(&ok), "");
        let bad = check_method(&format!(
            "{head}params:\n  - {{name: A, type: array, items: [integer]}}\n  - {{name: B, type: array, items: [integer, integer]}}\n  - {{name: C, type: array, items: [integer, object]}}\n  - {{name: D, type: array, items: [string, text]}}\n  - {{name: E, type: array, items: [integer, Nope]}}\n  - {{name: F, type: array, items: [integer, string], values: [x]}}\nresult: {{type: boolean}}\n"
        ));
        let text = crate::diag::report(&bad);
        for want in [
            "params[0] A items: a union of items needs at least two types",
            "\"integer\" is listed twice in the union",
            "may hold built-in scalars and named types, not object",
            "\"text\" decodes as the same Rust type (String)",
            "unknown type \"Nope\"",
            "values: cannot go with a union of items",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }

    /// A method whose request struct would be `Option` shadows the prelude in its module.
    #[test]
    fn a_struct_named_after_the_prelude_is_reported() {
        let diags = check_method(
            "method: a.option\nsummary: s\nscopes: [imbot]\ndocs: a.md\nresult: {type: boolean}\n",
        );
        let text = crate::diag::report(&diags);
        assert!(
            text.contains(
                "s/methods/a.option.yaml: method: the Rust type name `Option` would shadow"
            ),
            "{text}"
        );
    }

    /// A one-segment wire name (`scope`, `profile`) is a method name when `namespace` places it;
    /// without the key it would be a module of its own with an empty struct name.
    #[test]
    fn a_one_segment_name_needs_a_namespace() {
        let with = check_method(
            "method: scope\nnamespace: app\nsummary: s\nscopes: [imbot]\ndocs: a.md\nresult: {type: boolean}\n",
        );
        assert_eq!(crate::diag::report(&with), "");
        let without = check_method(
            "method: scope\nsummary: s\nscopes: [imbot]\ndocs: a.md\nresult: {type: boolean}\n",
        );
        let text = crate::diag::report(&without);
        assert!(text.contains("\"scope\" is not a method name"), "{text}");
        assert!(text.contains("namespace"), "{text}");
        let empty = check_method(
            "method: a..b\nnamespace: app\nsummary: s\nscopes: [imbot]\ndocs: a.md\nresult: {type: boolean}\n",
        );
        assert!(crate::diag::report(&empty).contains("is not a method name"));
    }

    /// The identifier checks see exactly the type names that the lowering emits.
    #[test]
    fn identifier_checks_see_every_emitted_type() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let (set, diags) = crate::load::load_dir(&root);
        assert!(diags.is_empty());
        let mut v = validate_base(&set);
        validate_members(&mut v, &set);
        let (api, diags) = crate::lower::lower(&set);
        assert!(diags.is_empty());
        let defs = |t: &crate::ir::TypeDef| match t {
            crate::ir::TypeDef::Struct(s) => s.name.clone(),
            crate::ir::TypeDef::Enum(e) => e.name.clone(),
            crate::ir::TypeDef::Union(u) => u.name.clone(),
        };
        let mut lowered: BTreeSet<String> = api.common_types.iter().map(defs).collect();
        for ns in api.namespaces.values() {
            lowered.extend(ns.types.iter().map(defs));
            for m in &ns.methods {
                lowered.insert(m.struct_name.clone());
                lowered.extend(m.errors.iter().map(|e| e.name.clone()));
                lowered.extend(m.types.iter().map(defs));
            }
        }
        assert!(lowered.len() > 300, "{}", lowered.len());
        let missed: Vec<_> = lowered.difference(&v.emitted_types).collect();
        let extra: Vec<_> = v.emitted_types.difference(&lowered).collect();
        assert!(
            missed.is_empty() && extra.is_empty(),
            "missed {missed:?}, extra {extra:?}"
        );
    }
}
