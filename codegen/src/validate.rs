//! Validation: checks a loaded [`SpecSet`] for problems the YAML parser cannot see
//! (unknown types and scopes, misplaced keys, impossible statuses, repeated errors).
//! Every problem is collected; nothing stops at the first.

use crate::diag::Diagnostic;
use crate::load::SpecSet;
use crate::spec::{
    EnumValue, ErrorSpec, EventSpec, Field, Items, MethodSpec, Required, ResultSpec, Scalar,
    TypeExpr, BUILTIN_TYPES, STRING_TYPES,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Checks the whole set; returns every problem found.
pub fn validate(set: &SpecSet) -> Vec<Diagnostic> {
    let mut v = Validator {
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
        local_types: BTreeSet::new(),
        diags: Vec::new(),
    };
    let modules: BTreeMap<String, BTreeSet<String>> = set
        .module_types
        .iter()
        .map(|(m, t)| (m.clone(), t.value.types.keys().cloned().collect()))
        .collect();
    if let Some(errs) = &set.system_errors {
        v.errors(&errs.path, &errs.value.errors);
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
        }
    }
    let namespaces: BTreeSet<String> = set
        .methods
        .keys()
        .map(|m| crate::names::namespace(m).0)
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
        v.local_types = modules.get(module).cloned().unwrap_or_default();
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
        }
    }
    for m in set.methods.values() {
        v.local_types = modules
            .get(&crate::names::namespace(&m.value.method).0)
            .cloned()
            .unwrap_or_default();
        v.method(&m.path, &m.value);
    }
    for e in set.events.values() {
        v.local_types = modules.get(&e.value.namespace).cloned().unwrap_or_default();
        v.event(&e.path, &e.value);
    }
    v.diags
}

struct Validator {
    scopes: BTreeSet<String>,
    named_types: BTreeSet<String>,
    /// Named types of the module being checked (`types/<module>.yaml`).
    local_types: BTreeSet<String>,
    diags: Vec<Diagnostic>,
}

impl Validator {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn method(&mut self, path: &Path, m: &MethodSpec) {
        let segs: Vec<&str> = m.method.split('.').collect();
        if segs.len() < 2
            || segs
                .iter()
                .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            self.push(Diagnostic::new(path, "method", format!("\"{}\" is not a method name", m.method))
                .hint("a wire name has dot-separated segments of letters, digits and _, e.g. imopenlines.dialog.get"));
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
                f.iter()
                    .any(|f| f.name == "error" && STRING_TYPES.contains(&f.ty.names()[0]))
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
        for (i, d) in m.deviations.iter().enumerate() {
            if d.reason.trim().is_empty() {
                self.push(Diagnostic::new(
                    path,
                    format!("deviations[{i}] {}", d.name),
                    "a deviation needs its reason",
                ));
            }
        }
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
        if crate::names::camel(&e.rust_name) != e.rust_name
            || syn::parse_str::<syn::Ident>(&e.rust_name).is_err()
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
        for (i, d) in e.deviations.iter().enumerate() {
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
        let as_field = Field {
            name: "result".into(),
            rust_name: None,
            ty: r.ty.clone(),
            items: r.items.clone(),
            fields: r.fields.clone(),
            required: Required::Yes,
            min: None,
            max: None,
            max_length: None,
            max_items: None,
            required_if: None,
            nullable: false,
            values: r.values.clone(),
            encoding: r.encoding,
            default: None,
            deprecated: None,
            secret: false,
            one_of: Vec::new(),
            description: r.description.clone(),
        };
        self.field(path, "result", &as_field, false);
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

    fn field(&mut self, path: &Path, here: &str, f: &Field, is_param: bool) {
        let names = f.ty.names();
        let union = matches!(f.ty, TypeExpr::Union(_));
        if union && names.len() < 2 {
            self.push(
                Diagnostic::new(path, here, "a union needs at least two types")
                    .hint("write a single type as type: string"),
            );
        }
        let mut all_known = true;
        for t in &names {
            if !self.known(t) {
                all_known = false;
                self.unknown_type(path, here, t);
            }
        }
        if union
            && names.iter().any(|t| {
                *t == "map" || self.named_types.contains(*t) || self.local_types.contains(*t)
            })
        {
            self.push(
                Diagnostic::new(
                    path,
                    here,
                    "a union may hold only built-in scalar types, object and array",
                )
                .hint("use any for looser values"),
            );
        }
        let primary = if union { "" } else { names[0] };
        let collection =
            primary == "array" || primary == "map" || (union && names.contains(&"array"));
        match (&f.items, collection) {
            (None, true) if !union => {
                self.push(
                    Diagnostic::new(path, here, format!("{primary} needs items:"))
                        .hint("say the type of each item, e.g. items: integer (any when unknown)"),
                );
            }
            (Some(_), false) => {
                self.push(
                    Diagnostic::new(path, here, "items: is only for array and map")
                        .hint("remove items: or make the type array"),
                );
            }
            (Some(it), true) => match it {
                Items::Name(n) if n == "array" || n == "map" => {
                    self.push(
                        Diagnostic::new(path, here, format!("items: {n} needs the inner items"))
                            .hint(format!("write items: {{type: {n}, items: integer}}")),
                    );
                }
                Items::Name(n) => {
                    if !self.known(n) {
                        self.unknown_type(path, &format!("{here} items"), n);
                    }
                }
                Items::Nested(_) => {
                    if f.fields.is_some() {
                        self.push(
                            Diagnostic::new(path, here, "fields: belong inside the nested items:")
                                .hint("move fields: under items:"),
                        );
                    }
                    let inner = it.as_field(&f.name, f);
                    self.field(path, &format!("{here} items"), &inner, is_param);
                }
            },
            _ => {}
        }
        let object_like = primary == "object"
            || (collection && matches!(&f.items, Some(Items::Name(n)) if n == "object"));
        if let Some(fields) = &f.fields {
            if !object_like || union {
                self.push(
                    Diagnostic::new(
                        path,
                        here,
                        "fields: is only for object, or an array or map of object",
                    )
                    .hint("set type: object, or items: object"),
                );
            } else if fields.is_empty() {
                self.push(
                    Diagnostic::new(path, here, "fields: is empty")
                        .hint("list the fields, or remove fields: for a free-form object"),
                );
            }
            self.fields(path, &format!("{here} fields"), fields, is_param);
            self.one_of(path, &format!("{here} one_of"), &f.one_of, fields);
        } else if !f.one_of.is_empty() {
            self.push(
                Diagnostic::new(path, here, "one_of: is only for objects with fields:")
                    .hint("move it to the object whose fields it names"),
            );
        }
        if !is_param && !f.one_of.is_empty() {
            self.push(
                Diagnostic::new(path, here, "one_of: is only for params")
                    .hint("results are not checked"),
            );
        }
        let scalar = if collection {
            f.items.as_ref().map(Items::name).unwrap_or("")
        } else {
            primary
        };
        if f.encoding.is_some() && !(scalar == "boolean" || scalar == "char") {
            self.push(
                Diagnostic::new(path, here, "encoding: is only for boolean (or char) values")
                    .hint("remove encoding:"),
            );
        }
        if let Some(values) = &f.values {
            self.values(path, here, scalar, values, f.encoding.is_some());
        }
        let numeric = scalar == "integer" || scalar == "double";
        if (f.min.is_some() || f.max.is_some()) && (!numeric || collection) {
            self.push(
                Diagnostic::new(path, here, "min:/max: are only for integer and double")
                    .hint("remove them, or use max_length: for text"),
            );
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                self.push(Diagnostic::new(
                    path,
                    here,
                    format!("min {lo} is above max {hi}"),
                ));
            }
        }
        if f.max_length.is_some()
            && (!STRING_TYPES.contains(&scalar) && scalar != "text" || collection)
        {
            self.push(
                Diagnostic::new(path, here, "max_length: is only for text types")
                    .hint("remove it, or use max: for numbers"),
            );
        }
        if f.max_items.is_some() && !collection {
            self.push(
                Diagnostic::new(path, here, "max_items: is only for array and map")
                    .hint("remove it, or use max_length: for text"),
            );
        }
        if f.nullable && (!is_param || f.required == Required::Yes || f.encoding.is_some()) {
            self.push(
                Diagnostic::new(
                    path,
                    here,
                    "nullable: is only for optional params without encoding:",
                )
                .hint("results are optional anyway; a required param cannot be sent as null"),
            );
        }
        if !is_param && f.required == Required::Webhook {
            self.push(
                Diagnostic::new(path, here, "required: webhook is only for params")
                    .hint("use true (always present) or false"),
            );
        }
        let _ = all_known;
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
            if e.code.is_empty()
                || !e
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                self.push(
                    Diagnostic::new(path, &here, format!("\"{}\" is not an error code", e.code))
                        .hint("codes are letters, digits and _"),
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
