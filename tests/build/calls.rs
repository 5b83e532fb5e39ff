//! Generates `calls.rs`: `call_method(client, method)` builds the typed request of any spec
//! method with `new(required…)` and dummy values of the right Rust types (named param objects
//! through their own `new`), sets webhook-only params and the first member of each `one_of`
//! group, sends it with `client.call` and hands the outcome to `outcome(...)`, which the
//! including test defines. `METHODS` lists every method's wire name.
//!
//! Walks the IR only, so a method added to the spec is called without a change here.

use std::collections::BTreeMap;

use bitrix_codegen::example::Resolver;
use bitrix_codegen::ir::{Api, Constraints, FieldIr, OneOfGroup, Presence, RustTy, TypeDef};

/// How deep nested param objects are filled before giving up (recursive types).
const MAX_DEPTH: usize = 8;

/// The whole generated file.
pub fn generate(api: &Api) -> String {
    let mut arms = String::new();
    let mut names = String::new();
    let mut errors = String::new();
    for ns in api.namespaces.values() {
        for m in &ns.methods {
            let cx = Cx {
                types: Resolver::new(api, ns, m),
                module: &ns.module,
            };
            let request = cx.builder(
                &format!("bitrix_api::{}::{}", ns.module, m.struct_name),
                &m.params,
                &m.one_of,
                0,
            );
            arms.push_str(&format!(
                "        {:?} => Some(outcome(client.call({request}).await)),\n",
                m.wire
            ));
            names.push_str(&format!("    {:?},\n", m.wire));
            if let Some(first) = m.errors.as_ref().and_then(|e| e.variants.first()) {
                errors.push_str(&format!("    ({:?}, {:?}),\n", m.wire, first.code));
            }
        }
    }
    format!(
        "/// Every spec method's wire name.\n\
         pub const METHODS: &[&str] = &[\n{names}];\n\n\
         /// Each method with documented errors of its own, and its first documented code.\n\
         pub const FIRST_ERRORS: &[(&str, &str)] = &[\n{errors}];\n\n\
         /// Calls `method` with its required params (dummy values); `None` for a method the spec lacks.\n\
         #[allow(deprecated, clippy::too_many_lines)]\n\
         pub async fn call_method(client: &bitrix_api::Client, method: &str) -> Option<Outcome> {{\n    match method {{\n{arms}        _ => None,\n    }}\n}}\n"
    )
}

struct Cx<'a> {
    types: Resolver<'a>,
    module: &'a str,
}

impl Cx<'_> {
    /// `Path::new(required…)` followed by setters for webhook-only params and the first
    /// member of each `one_of` group.
    fn builder(
        &self,
        path: &str,
        fields: &[FieldIr],
        one_of: &[OneOfGroup],
        depth: usize,
    ) -> String {
        let args: Vec<String> = fields
            .iter()
            .filter(|f| f.presence == Presence::Required)
            .map(|f| self.value(&f.ty, &f.constraints, f.secret, depth))
            .collect();
        let mut code = format!("{path}::new({})", args.join(", "));
        let mut set: BTreeMap<&str, ()> = BTreeMap::new();
        let firsts = one_of.iter().filter_map(|g| g.members.first());
        let webhook = fields
            .iter()
            .filter(|f| f.presence == Presence::WebhookOnly);
        for f in webhook {
            set.insert(&f.wire, ());
        }
        for m in firsts {
            set.insert(&m.wire, ());
        }
        // A param required when a sibling we send has the value we send for it.
        for f in fields {
            let Some(cond) = &f.constraints.required_if else {
                continue;
            };
            let sibling = fields.iter().find(|s| s.wire == cond.sibling.wire);
            let sent = sibling
                .filter(|s| s.presence == Presence::Required || set.contains_key(s.wire.as_str()));
            if sent
                .is_some_and(|s| self.wire_text(&s.ty, &s.constraints) == Some(cond.value.clone()))
            {
                set.insert(&f.wire, ());
            }
        }
        for f in fields.iter().filter(|f| set.contains_key(f.wire.as_str())) {
            let value = self.value(&f.ty, &f.constraints, f.secret, depth);
            let value = if f.presence == Presence::Nullable {
                format!("Some({value})")
            } else {
                value
            };
            code.push_str(&format!(".{}({value})", f.ident));
        }
        code
    }

    /// A Rust expression of type `ty` that keeps the documented limits.
    fn value(&self, ty: &RustTy, c: &Constraints, secret: bool, depth: usize) -> String {
        let deeper = depth + 1;
        match ty {
            RustTy::Int => {
                let mut v = 1i64;
                if let Some(min) = c.min {
                    v = v.max(min);
                }
                if let Some(max) = c.max {
                    v = v.min(max);
                }
                format!("{v}i64")
            }
            RustTy::Float => "1.0f64".to_string(),
            RustTy::Str if secret => "bitrix_api::Secret::new(\"x\")".to_string(),
            RustTy::Str => "::std::string::String::from(\"x\")".to_string(),
            RustTy::Secret => "bitrix_api::Secret::new(\"x\")".to_string(),
            RustTy::Bool => "true".to_string(),
            RustTy::Json => "::serde_json::json!({\"x\": 1})".to_string(),
            RustTy::Option(inner) => format!("Some({})", self.value(inner, c, secret, depth)),
            RustTy::Vec(_) if depth >= MAX_DEPTH || c.max_items == Some(0) => {
                "::std::vec::Vec::new()".to_string()
            }
            RustTy::Vec(item) => format!(
                "::std::vec![{}]",
                self.value(item, &Constraints::default(), secret, deeper)
            ),
            RustTy::Map(_) if depth >= MAX_DEPTH || c.max_items == Some(0) => {
                "::std::collections::BTreeMap::new()".to_string()
            }
            RustTy::Map(item) => format!(
                "::std::collections::BTreeMap::from([(::std::string::String::from(\"1\"), {})])",
                self.value(item, &Constraints::default(), secret, deeper)
            ),
            RustTy::Named(path) => {
                let rust = self.rust_path(path);
                match self.types.resolve(path) {
                    Some(TypeDef::Struct(s)) => self.builder(&rust, &s.fields, &s.one_of, deeper),
                    Some(TypeDef::Enum(e)) => match e.variants.first() {
                        Some(v) => format!("{rust}::{}", v.variant),
                        None => format!("{rust}::Other(::std::string::String::from(\"x\"))"),
                    },
                    Some(TypeDef::Union(u)) => match u.variants.first() {
                        Some(v) => format!(
                            "{rust}::{}({})",
                            v.variant,
                            self.value(&v.ty, c, secret, depth)
                        ),
                        None => format!("compile_error!(\"union {rust} has no variants\")"),
                    },
                    None => format!("compile_error!(\"unknown type {path}\")"),
                }
            }
        }
    }

    /// The wire text of the dummy value `value` gives for a scalar type, when it has one.
    fn wire_text(&self, ty: &RustTy, c: &Constraints) -> Option<String> {
        match ty {
            RustTy::Int => Some(
                self.value(ty, c, false, 0)
                    .trim_end_matches("i64")
                    .to_string(),
            ),
            RustTy::Str => Some("x".to_string()),
            RustTy::Named(path) => match self.types.resolve(path) {
                Some(TypeDef::Enum(e)) => Some(
                    e.variants
                        .first()
                        .map_or("x", |v| v.wire.as_str())
                        .to_string(),
                ),
                _ => None,
            },
            _ => None,
        }
    }

    /// The path in `bitrix_api` of a generated type: the runtime's items are re-exported at
    /// its root (`runtime::types::Y` → `bitrix_api::types::Y`); `crate::Y` (the
    /// root of the module's crate) and a bare name are in the method's module.
    fn rust_path(&self, path: &str) -> String {
        if let Some(rest) = path.strip_prefix(bitrix_codegen::ir::RUNTIME) {
            return format!("bitrix_api{rest}");
        }
        let name = path.strip_prefix("crate::").unwrap_or(path);
        format!("bitrix_api::{}::{name}", self.module)
    }
}
