//! Import: drafts a spec file for a documented method from its page's facts.
//!
//! `bitrix-tools import --docs DIR [--out spec/methods] [--force] METHOD...` writes
//! `<out>/<method>.yaml` for each method: scopes, access, page path, deprecation,
//! parameters (types, required flags, nested fields), result and errors (status, code,
//! message) as the page gives them. Every `summary` and `description` is a `TODO:`
//! marker for a person to write in the project's own words; so is anything the page does
//! not say (an unknown type becomes `any`, an unknown status `0`, each with a `TODO:`
//! description saying so; a status taken from the section's example line is used but
//! flagged the same way). An existing file is never overwritten without `--force`.
//! Exit status: 0 all written, 1 a method is not documented or a file exists, 2 usage or
//! IO error.
//!
//! Type conversion: `X[]` becomes `array` with `items: X`; a named type with documented
//! fields (`Bot`) becomes `object` with those fields inlined, while one without (`time`)
//! keeps its name in lower case; a documented object whose only field is a placeholder
//! key (`<chatId>`) becomes a `map` whose `items` and `fields` come from the placeholder.

use crate::apidocs::types::{is_named_type, parse_doc_type, to_spec, Atom};
use crate::apidocs::{parse_dir, DocError, DocField, DocResult, PageFacts};
use bitrix_codegen::spec::{MethodSpec, Required, TypeExpr};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// The marker put where a person has to write or check something.
pub const TODO: &str = "TODO:";

/// The draft spec of one method, as YAML text that deserializes into [`MethodSpec`].
pub fn draft_yaml(f: &PageFacts) -> Result<String, String> {
    let value = draft_value(f);
    let body = serde_yaml::to_string(&value).map_err(|e| e.to_string())?;
    let text = format!(
        "# Draft imported from {}. Replace every {TODO} marker and check the facts.\n{body}",
        f.path
    );
    serde_yaml::from_str::<MethodSpec>(&text).map_err(|e| {
        format!(
            "internal error: the draft of {} does not load: {e}",
            f.method
        )
    })?;
    Ok(text)
}

/// The draft as a YAML value, keys in the spec's order.
pub fn draft_value(f: &PageFacts) -> Value {
    let mut m = Mapping::new();
    put(&mut m, "method", f.method.clone());
    put(
        &mut m,
        "summary",
        format!("{TODO} one line on what {} does", f.method),
    );
    put(
        &mut m,
        "description",
        format!("{TODO} describe the method in our own words"),
    );
    m.insert(
        "scopes".into(),
        Value::Sequence(f.scopes.iter().cloned().map(Value::from).collect()),
    );
    if let Some(a) = &f.access {
        put(&mut m, "access", a.clone());
    }
    put(&mut m, "docs", f.path.clone());
    if let Some(d) = &f.deprecated {
        let mut dep = Mapping::new();
        if let Some(r) = d.replacements.first() {
            put(&mut dep, "replacement", r.clone());
        }
        put(
            &mut dep,
            "note",
            format!("{TODO} say why and what to use instead"),
        );
        m.insert("deprecated".into(), Value::Mapping(dep));
    }
    m.insert(
        "params".into(),
        Value::Sequence(f.params.iter().map(|p| field(p, true)).collect()),
    );
    m.insert("result".into(), result(f.result.as_ref()));
    m.insert(
        "errors".into(),
        Value::Sequence(f.errors.iter().map(error).collect()),
    );
    Value::Mapping(m)
}

fn put(m: &mut Mapping, k: &str, v: impl Into<Value>) {
    m.insert(Value::from(k), v.into());
}

/// Type, items and fields of a documented field (or result).
struct Shape {
    ty: TypeExpr,
    items: Option<String>,
    fields: Vec<DocField>,
    note: Option<String>,
}

fn shape(written: Option<&str>, fields: &[DocField]) -> Shape {
    let Some(w) = written else {
        return Shape {
            ty: TypeExpr::One(if fields.is_empty() { "any" } else { "object" }.into()),
            items: None,
            fields: fields.to_vec(),
            note: Some(format!("{TODO} the page gives no type")),
        };
    };
    let atoms = parse_doc_type(w);
    // An object keyed by ids: its only field is a placeholder.
    if let [only] = fields {
        let object_like = atoms.iter().any(
            |a| matches!(a, Atom::Name(n) if n.eq_ignore_ascii_case("object") || is_named_type(n)),
        );
        if object_like && is_placeholder(&only.name) {
            let inner = shape(only.ty.as_deref(), &only.fields);
            let items = match &inner.ty {
                TypeExpr::One(t) => t.clone(),
                TypeExpr::Union(_) => "any".into(),
            };
            return Shape {
                ty: TypeExpr::One("map".into()),
                items: Some(items),
                fields: inner.fields,
                note: Some(format!("{TODO} keyed by {}", only.name)),
            };
        }
    }
    let (mut ty, mut items) = to_spec(w);
    if !fields.is_empty() {
        // Documented fields are inlined: a named type becomes `object`.
        ty = match ty {
            TypeExpr::One(t) if is_named_type(&t) => TypeExpr::One("object".into()),
            other => other,
        };
        let is_array = ty.names().contains(&"array") || ty.names().contains(&"map");
        if is_array && items.as_deref().map_or(true, is_named_type) {
            items = Some("object".into());
        }
    }
    Shape {
        ty,
        items,
        fields: fields.to_vec(),
        note: None,
    }
}

fn is_placeholder(name: &str) -> bool {
    (name.contains('<') && name.ends_with('>')) || (name.starts_with('{') && name.ends_with('}'))
}

fn type_value(t: &TypeExpr) -> Value {
    match t {
        TypeExpr::One(s) => Value::from(s.clone()),
        TypeExpr::Union(v) => Value::Sequence(v.iter().cloned().map(Value::from).collect()),
    }
}

/// Writes `type`, `items` and `fields` of a documented type into `m`; returns the shape read.
fn put_shape(m: &mut Mapping, ty: Option<&str>, fields: &[DocField], is_param: bool) -> Shape {
    let s = shape(ty, fields);
    m.insert("type".into(), type_value(&s.ty));
    if let Some(i) = &s.items {
        put(m, "items", i.clone());
    }
    if !s.fields.is_empty() {
        m.insert(
            "fields".into(),
            Value::Sequence(s.fields.iter().map(|c| field(c, is_param)).collect()),
        );
    }
    s
}

fn field(f: &DocField, is_param: bool) -> Value {
    let mut m = Mapping::new();
    put(&mut m, "name", f.name.clone());
    let s = put_shape(&mut m, f.ty.as_deref(), &f.fields, is_param);
    if is_param {
        let r = match f.required {
            Required::No => Value::from(false),
            Required::Yes => Value::from(true),
            Required::Webhook => Value::from("webhook"),
        };
        m.insert("required".into(), r);
    }
    let desc = match s.note {
        Some(n) => format!("{n}; describe {}", f.name),
        None => format!("{TODO} describe {}", f.name),
    };
    put(&mut m, "description", desc);
    Value::Mapping(m)
}

fn result(r: Option<&DocResult>) -> Value {
    let mut m = Mapping::new();
    let Some(r) = r else {
        put(&mut m, "type", "any");
        put(
            &mut m,
            "description",
            format!("{TODO} the page has no returned-data table; read its example"),
        );
        return Value::Mapping(m);
    };
    let s = put_shape(&mut m, r.ty.as_deref(), &r.fields, false);
    let desc = match s.note {
        Some(n) => format!("{n}; describe the result"),
        None => format!("{TODO} describe the result"),
    };
    put(&mut m, "description", desc);
    Value::Mapping(m)
}

fn error(e: &DocError) -> Value {
    let mut m = Mapping::new();
    put(&mut m, "code", e.code.clone());
    put(
        &mut m,
        "status",
        u64::from(e.status.or(e.section_status).unwrap_or(0)),
    );
    if let Some(msg) = &e.message {
        put(&mut m, "message", msg.clone());
    }
    let desc = match (e.status, e.section_status) {
        (Some(_), _) => format!("{TODO} when does {} happen", e.code),
        (None, Some(_)) => format!(
            "{TODO} the status is the one of the page's example, check it for {}; say when it happens",
            e.code
        ),
        (None, None) => format!(
            "{TODO} the page gives no status for {}; set it, and say when it happens",
            e.code
        ),
    };
    put(&mut m, "description", desc);
    Value::Mapping(m)
}

/// What happened to one requested method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The draft was written to this file.
    Written(PathBuf),
    /// The file exists and `--force` was not given.
    Exists(PathBuf),
    /// No page documents the method.
    NotDocumented,
}

/// Writes drafts for `methods` from the pages under `docs_dir` into `out_dir`.
/// Errors are IO problems.
pub fn import(
    docs_dir: &Path,
    out_dir: &Path,
    methods: &[String],
    force: bool,
) -> Result<Vec<(String, Outcome)>, String> {
    if !docs_dir.is_dir() {
        return Err(format!("{}: not a directory", docs_dir.display()));
    }
    let docs = parse_dir(docs_dir).map_err(|e| format!("{}: {e}", docs_dir.display()))?;
    let mut out = Vec::new();
    for name in methods {
        let facts = docs.methods.get(name).or_else(|| {
            docs.methods
                .values()
                .find(|f| f.method.eq_ignore_ascii_case(name))
        });
        let Some(f) = facts else {
            out.push((name.clone(), Outcome::NotDocumented));
            continue;
        };
        let path = out_dir.join(format!("{}.yaml", f.method));
        if path.exists() && !force {
            out.push((f.method.clone(), Outcome::Exists(path)));
            continue;
        }
        let text = draft_yaml(f)?;
        std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((f.method.clone(), Outcome::Written(path)));
    }
    Ok(out)
}

const USAGE: &str = "usage: bitrix-tools import --docs DIR [--out DIR] [--force] METHOD...";

/// Command-line entry: `args` are the words after `import`. Returns the exit status
/// (0 all written, 1 a method not documented or a file exists, 2 usage or IO error).
pub fn cli(args: &[String]) -> u8 {
    let mut docs = None;
    let mut out = PathBuf::from("spec/methods");
    let mut force = false;
    let mut methods = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--docs", Some(v)) => {
                docs = Some(PathBuf::from(v));
                i += 2;
            }
            ("--out", Some(v)) => {
                out = PathBuf::from(v);
                i += 2;
            }
            ("--force", _) => {
                force = true;
                i += 1;
            }
            ("-h" | "--help", _) => {
                println!("{USAGE}");
                return 0;
            }
            (a, _) if a.starts_with("--") => {
                eprintln!("bitrix-tools import: unexpected argument {a:?}\n{USAGE}");
                return 2;
            }
            (a, _) => {
                methods.push(a.to_string());
                i += 1;
            }
        }
    }
    let Some(docs) = docs else {
        eprintln!("bitrix-tools import: --docs is required\n{USAGE}");
        return 2;
    };
    if methods.is_empty() {
        eprintln!("bitrix-tools import: name at least one method\n{USAGE}");
        return 2;
    }
    match import(&docs, &out, &methods, force) {
        Ok(results) => {
            let mut status = 0;
            for (m, o) in results {
                match o {
                    Outcome::Written(p) => println!("{m}: wrote {}", p.display()),
                    Outcome::Exists(p) => {
                        eprintln!("{m}: {} exists; pass --force to overwrite", p.display());
                        status = 1;
                    }
                    Outcome::NotDocumented => {
                        eprintln!("{m}: no page under {} documents it", docs.display());
                        status = 1;
                    }
                }
            }
            status
        }
        Err(e) => {
            eprintln!("bitrix-tools import: {e}");
            2
        }
    }
}
