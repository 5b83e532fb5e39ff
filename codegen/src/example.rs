//! Example results: checking a spec `result.example` against the result type, and building
//! one from the type when the spec has none.
//!
//! Both walk the IR's Rust types ([`RustTy`]) with the named types a method sees
//! ([`Resolver`]), so what is checked is the shape the generated code decodes. The check
//! follows the lenient decoding of results (numbers as strings, `Y`/`N` booleans, `[]` for an
//! empty object, `null`/`false` for an `Option`); it is a shape check, not a decode.

use serde_yaml::{Mapping, Value};

use crate::ir::{Api, MethodIr, NamespaceIr, Presence, RustTy, TypeDef};

/// How deep a built example goes before collections are left empty (recursive types).
const MAX_DEPTH: usize = 12;

/// Finds the generated types a method's code names: its own, its module's, the common ones.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'a> {
    api: &'a Api,
    module: &'a str,
    own: &'a [TypeDef],
}

impl<'a> Resolver<'a> {
    /// The types visible to `method` of namespace `ns`.
    pub fn new(api: &'a Api, ns: &'a NamespaceIr, method: &'a MethodIr) -> Self {
        Resolver {
            api,
            module: &ns.module,
            own: &method.types,
        }
    }

    /// The type a [`RustTy::Named`] path names: `Name` (the method's own, or its module's),
    /// `crate::Name` (its module's: the root of the module's crate), or
    /// `runtime::types::Name` (a common type; see [`crate::ir::RUNTIME`]).
    pub fn resolve(&self, path: &str) -> Option<&'a TypeDef> {
        let find = |types: &'a [TypeDef], name: &str| types.iter().find(|t| type_name(t) == name);
        let module_types = || Some(&self.api.namespaces.get(self.module)?.types);
        if let Some(name) = path
            .strip_prefix(crate::ir::RUNTIME)
            .and_then(|rest| rest.strip_prefix("::types::"))
        {
            return find(&self.api.common_types, name);
        }
        if let Some(name) = path.strip_prefix("crate::") {
            return find(module_types()?, name);
        }
        find(self.own, path).or_else(|| find(module_types()?, path))
    }
}

/// The name of a generated type.
pub fn type_name(t: &TypeDef) -> &str {
    match t {
        TypeDef::Struct(s) => &s.name,
        TypeDef::Enum(e) => &e.name,
        TypeDef::Union(u) => &u.name,
    }
}

/// The method's `result` example: the spec's own, else one built from the result type.
pub fn result_example(api: &Api, ns: &NamespaceIr, method: &MethodIr) -> Value {
    match &method.result_example {
        Some(v) => v.clone(),
        None => build(&Resolver::new(api, ns, method), &method.result),
    }
}

/// A value of `ty`'s shape: `1`, `"text"`, `true`, one item per list, an object with every
/// required field, an enum's first value.
pub fn build(types: &Resolver<'_>, ty: &RustTy) -> Value {
    build_at(types, ty, 0)
}

fn build_at(types: &Resolver<'_>, ty: &RustTy, depth: usize) -> Value {
    let deeper = depth + 1;
    match ty {
        RustTy::Int => Value::from(1),
        RustTy::Float => Value::from(1.5),
        RustTy::Str | RustTy::Secret => Value::from("text"),
        RustTy::Bool => Value::Bool(true),
        RustTy::Json => Value::Mapping(Mapping::new()),
        RustTy::Option(inner) => build_at(types, inner, depth),
        RustTy::Vec(_) if depth >= MAX_DEPTH => Value::Sequence(Vec::new()),
        RustTy::Vec(item) => Value::Sequence(vec![build_at(types, item, deeper)]),
        RustTy::Map(_) if depth >= MAX_DEPTH => Value::Mapping(Mapping::new()),
        RustTy::Map(item) => {
            let mut m = Mapping::new();
            m.insert(Value::from("1"), build_at(types, item, deeper));
            Value::Mapping(m)
        }
        RustTy::Named(path) => match types.resolve(path) {
            Some(TypeDef::Struct(s)) => {
                let mut m = Mapping::new();
                for f in s.fields.iter().filter(|f| f.presence == Presence::Required) {
                    m.insert(Value::from(f.wire.as_str()), build_at(types, &f.ty, deeper));
                }
                Value::Mapping(m)
            }
            Some(TypeDef::Enum(e)) => Value::from(
                e.variants
                    .first()
                    .map_or("other", |v| v.wire.as_str())
                    .to_string(),
            ),
            Some(TypeDef::Union(u)) => u
                .variants
                .first()
                .map_or(Value::Null, |v| build_at(types, &v.ty, depth)),
            None => Value::Null,
        },
    }
}

/// Whether `value` has `ty`'s shape; the error names the first place that differs
/// (`result.items[0].ID: expected an integer, found "x"`).
pub fn check(types: &Resolver<'_>, ty: &RustTy, value: &Value) -> Result<(), String> {
    check_at(types, ty, value, "result")
}

fn check_at(types: &Resolver<'_>, ty: &RustTy, value: &Value, at: &str) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{at}: expected {what}, found {}", show(value)));
    let text = value.as_str();
    match ty {
        RustTy::Option(_) if value.is_null() || value == &Value::Bool(false) => Ok(()),
        RustTy::Option(inner) => check_at(types, inner, value, at),
        RustTy::Json => Ok(()),
        RustTy::Int => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            _ if text.is_some_and(|t| t.trim().parse::<i64>().is_ok()) => Ok(()),
            _ => fail("an integer"),
        },
        RustTy::Float => match value {
            Value::Number(_) => Ok(()),
            _ if text.is_some_and(|t| t.trim().parse::<f64>().is_ok()) => Ok(()),
            _ => fail("a number"),
        },
        RustTy::Str | RustTy::Secret => match value {
            Value::String(_) | Value::Number(_) => Ok(()),
            _ => fail("a string"),
        },
        RustTy::Bool => match value {
            Value::Bool(_) => Ok(()),
            Value::Number(n) if n.as_i64().is_some_and(|i| i == 0 || i == 1) => Ok(()),
            _ if text.is_some_and(|t| {
                matches!(t, "Y" | "N" | "y" | "n" | "1" | "0" | "true" | "false")
            }) =>
            {
                Ok(())
            }
            _ => fail("a boolean"),
        },
        RustTy::Vec(item) => match value {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| check_at(types, item, v, &format!("{at}[{i}]"))),
            Value::Mapping(m) => m
                .iter()
                .try_for_each(|(k, v)| check_at(types, item, v, &format!("{at}[{}]", show(k)))),
            _ => fail("a list"),
        },
        RustTy::Map(item) => match value {
            Value::Sequence(items) if items.is_empty() => Ok(()),
            Value::Mapping(m) => m
                .iter()
                .try_for_each(|(k, v)| check_at(types, item, v, &format!("{at}[{}]", show(k)))),
            _ => fail("an object keyed by id"),
        },
        RustTy::Named(path) => match types.resolve(path) {
            Some(TypeDef::Struct(s)) => {
                let empty = Mapping::new();
                let m = match value {
                    Value::Mapping(m) => m,
                    Value::Sequence(items) if items.is_empty() => &empty,
                    _ => return fail("an object"),
                };
                for f in &s.fields {
                    let here = format!("{at}.{}", f.wire);
                    match m.get(f.wire.as_str()) {
                        None | Some(Value::Null) if f.presence == Presence::Required => {
                            return Err(format!("{here}: required, but missing"))
                        }
                        None | Some(Value::Null) => {}
                        Some(v) => check_at(types, &f.ty, v, &here)?,
                    }
                }
                Ok(())
            }
            Some(TypeDef::Enum(_)) => match value {
                Value::String(_) | Value::Number(_) => Ok(()),
                _ => fail("one of the documented values"),
            },
            Some(TypeDef::Union(u)) => {
                if u.variants
                    .iter()
                    .any(|v| check_at(types, &v.ty, value, at).is_ok())
                {
                    Ok(())
                } else {
                    fail(&format!("a value of {}", u.name))
                }
            }
            None => Err(format!("{at}: the type {path} is not known")),
        },
    }
}

/// A short rendering of a value for messages.
fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Sequence(_) => "a list".to_string(),
        Value::Mapping(_) => "an object".to_string(),
        Value::Tagged(_) => "a tagged value".to_string(),
    };
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FieldIr, Role, StructIr};

    fn field(wire: &str, ty: RustTy, presence: Presence) -> FieldIr {
        FieldIr {
            wire: wire.into(),
            ident: wire.to_lowercase(),
            ty,
            presence,
            constraints: Default::default(),
            encoding: None,
            wire_type: String::new(),
            doc: String::new(),
            deprecated: None,
            secret: false,
            nested_check: false,
        }
    }

    fn api_with(types: Vec<TypeDef>) -> Api {
        let mut api = Api::default();
        api.namespaces.insert(
            "m".into(),
            NamespaceIr {
                module: "m".into(),
                prefix: "m".into(),
                types,
                methods: Vec::new(),
                events: Vec::new(),
                event_enum: String::new(),
            },
        );
        api
    }

    fn user() -> TypeDef {
        TypeDef::Struct(StructIr {
            name: "User".into(),
            doc: String::new(),
            fields: vec![
                field("ID", RustTy::Int, Presence::Required),
                field("NAME", RustTy::Str, Presence::Optional),
            ],
            one_of: Vec::new(),
            role: Role::Result,
        })
    }

    fn yaml(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn built_examples_have_the_required_fields_and_pass_the_check() {
        let api = api_with(vec![user()]);
        let ns = &api.namespaces["m"];
        let r = Resolver {
            api: &api,
            module: "m",
            own: &[],
        };
        let ty = RustTy::Vec(Box::new(RustTy::Named("crate::User".into())));
        let built = build(&r, &ty);
        assert_eq!(built, yaml("[{ID: 1}]"));
        assert_eq!(check(&r, &ty, &built), Ok(()));
        assert_eq!(ns.module, "m");
    }

    #[test]
    fn the_check_names_the_place_that_differs() {
        let api = api_with(vec![user()]);
        let r = Resolver {
            api: &api,
            module: "m",
            own: &[],
        };
        let ty = RustTy::Vec(Box::new(RustTy::Named("User".into())));
        assert_eq!(
            check(&r, &ty, &yaml("[{ID: '7', NAME: x}, {NAME: y}]")),
            Err("result[1].ID: required, but missing".into())
        );
        assert_eq!(
            check(&r, &ty, &yaml("[{ID: seven}]")),
            Err("result[0].ID: expected an integer, found \"seven\"".into())
        );
        assert_eq!(
            check(&r, &RustTy::Bool, &yaml("maybe")),
            Err("result: expected a boolean, found \"maybe\"".into())
        );
        let opt = RustTy::Option(Box::new(RustTy::Int));
        assert_eq!(check(&r, &opt, &yaml("false")), Ok(()));
        assert_eq!(check(&r, &RustTy::Bool, &yaml("Y")), Ok(()));
    }
}
