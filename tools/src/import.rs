//! Import: drafts a spec file for a documented method or event from its page's facts.
//!
//! `bitrix-tools import --docs DIR [--out DIR] [--force] NAME...` writes
//! `spec/methods/<method>.yaml` for each method and `spec/events/<EVENT>.yaml` for each
//! event (both into `--out` when it is given). A method draft has scopes, access, page path, deprecation,
//! parameters (types, required flags, nested fields), result and errors (status, code,
//! message) as the page gives them. Every `summary` and `description` is a `TODO:`
//! marker for a person to write in the project's own words; so is anything the page does
//! not say (an unknown type becomes `any`, an unknown status `0`, each with a `TODO:`
//! description saying so; a status taken from the section's example line is used but
//! flagged the same way). An existing file is never overwritten without `--force`.
//! Exit status: 0 all written, 1 a method is not documented or a file exists, 2 usage or
//! IO error.
//!
//! An event draft has the wire name, a `rust_name` from the page's file name
//! (`on-imbot-join-chat.md` → `OnImbotJoinChat`), from the name as the title writes it
//! (`OnImConnectorDialogStart`) or, for a name in capitals only, split at known words
//! (`ONIMBOTV2JOINCHAT` → `OnImbotV2JoinChat`), a namespace guessed from the page's
//! section ([`event_namespace`]), scopes, subscribers, page with anchor, deprecation and
//! the fields of `data`.
//!
//! Type conversion: `X[]` becomes `array` with `items: X`; a named type with documented
//! fields (`Bot`) becomes `object` with those fields inlined, while one without (`time`)
//! keeps its name in lower case; a documented object whose only field is a placeholder
//! key (`<chatId>`) becomes a `map` whose `items` and `fields` come from the placeholder.

use crate::apidocs::types::{is_named_type, parse_doc_type, to_spec, Atom};
use crate::apidocs::{parse_dir, DocError, DocField, DocResult, EventFacts, PageFacts};
use bitrix_codegen::spec::{EventSpec, MethodSpec, Required, TypeExpr};
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
        if is_array && items.as_deref().is_none_or(is_named_type) {
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

/// The draft spec of one event, as YAML text that deserializes into [`EventSpec`].
pub fn draft_event_yaml(f: &EventFacts) -> Result<String, String> {
    let value = draft_event_value(f);
    let body = serde_yaml::to_string(&value).map_err(|e| e.to_string())?;
    let text = format!(
        "# Draft imported from {}. Replace every {TODO} marker and check the facts.\n{body}",
        f.docs_path()
    );
    serde_yaml::from_str::<EventSpec>(&text).map_err(|e| {
        format!(
            "internal error: the draft of {} does not load: {e}",
            f.event
        )
    })?;
    Ok(text)
}

/// The event draft as a YAML value, keys in the spec's order.
pub fn draft_event_value(f: &EventFacts) -> Value {
    let mut m = Mapping::new();
    put(&mut m, "event", f.event.clone());
    put(&mut m, "rust_name", event_rust_name(f));
    put(&mut m, "namespace", event_namespace(&f.path, &f.event));
    put(
        &mut m,
        "summary",
        format!("{TODO} one line on when {} is sent", f.event),
    );
    put(
        &mut m,
        "description",
        format!("{TODO} describe the event in our own words"),
    );
    m.insert(
        "scopes".into(),
        Value::Sequence(f.scopes.iter().cloned().map(Value::from).collect()),
    );
    if let Some(s) = &f.subscribers {
        put(&mut m, "subscribers", s.clone());
    }
    put(&mut m, "docs", f.docs_path());
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
        "data".into(),
        Value::Sequence(f.data.iter().map(|d| field(d, f.marks_required)).collect()),
    );
    Value::Mapping(m)
}

/// The namespace an event's page belongs to: outdated bots → `imbot`, `imbot.v2` →
/// `imbot_v2`, `im.v2` → `im_v2`, open lines → `imopenlines`, connectors → `imconnector`,
/// `common/events` → `app` (`ONUSERADD` → `user`), `events/` → `event`; otherwise the
/// first directory under `api-reference/`.
pub fn event_namespace(path: &str, event: &str) -> String {
    let has = |dir: &str| path.split('/').any(|p| p == dir);
    let ns = if has("outdated") {
        "imbot"
    } else if has("imbot.v2") {
        "imbot_v2"
    } else if has("im.v2") {
        "im_v2"
    } else if has("imconnector") {
        "imconnector"
    } else if has("openlines") || has("imopenlines") {
        "imopenlines"
    } else if path.starts_with("api-reference/common/events/") {
        if event.starts_with("ONUSER") {
            "user"
        } else {
            "app"
        }
    } else if path.starts_with("api-reference/events/") {
        "event"
    } else {
        return path
            .strip_prefix("api-reference/")
            .and_then(|p| p.split('/').next())
            .filter(|p| !p.ends_with(".md"))
            .unwrap_or("event")
            .replace(['.', '-'], "_");
    };
    ns.to_string()
}

/// Words a capitals-only event name is split at, longest first at each place.
const EVENT_WORDS: &[&str] = &[
    "ON",
    "IMBOT",
    "IM",
    "V2",
    "BOT",
    "MESSAGE",
    "ADD",
    "UPDATE",
    "DELETE",
    "JOIN",
    "CHAT",
    "COMMAND",
    "CONTEXT",
    "GET",
    "REACTION",
    "CHANGE",
    "SESSION",
    "START",
    "FINISH",
    "OPEN",
    "LINE",
    "CONNECTOR",
    "DIALOG",
    "STATUS",
    "APP",
    "INSTALL",
    "UNINSTALL",
    "PAYMENT",
    "METHOD",
    "CONFIRM",
    "USER",
    "OFFLINE",
    "EVENT",
    "LEAVE",
    "READ",
    "TYPING",
];

/// The UpperCamelCase name of an event's payload type.
pub fn event_rust_name(f: &EventFacts) -> String {
    // `on-imbot-join-chat.md`, when its words spell the event.
    if f.anchor.is_none() {
        if let Some(stem) = f
            .path
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".md"))
        {
            let camel: String = stem.split('-').map(capitalise).collect();
            if camel.eq_ignore_ascii_case(&f.event) {
                return camel;
            }
        }
    }
    if f.written.chars().any(|c| c.is_ascii_lowercase()) {
        return capitalise(&f.written);
    }
    split_words(&f.event)
        .iter()
        .map(|w| capitalise(w))
        .collect()
}

/// `add` → `Add`, `V2` → `V2`, `imbot` → `Imbot`.
fn capitalise(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Splits a capitals-only name at [`EVENT_WORDS`] (greedy, longest word first); a rest
/// that matches no word is kept as one word.
fn split_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = name;
    let mut unknown = String::new();
    while !rest.is_empty() {
        let best = EVENT_WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len());
        match best {
            Some(w) => {
                if !unknown.is_empty() {
                    out.push(std::mem::take(&mut unknown));
                }
                out.push(w.to_string());
                rest = &rest[w.len()..];
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    unknown.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    if !unknown.is_empty() {
        out.push(unknown);
    }
    out
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

/// Where drafts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutDirs {
    /// Directory of method drafts (`spec/methods`).
    pub methods: PathBuf,
    /// Directory of event drafts (`spec/events`).
    pub events: PathBuf,
}

impl OutDirs {
    /// Both kinds of draft into one directory.
    pub fn single(dir: &Path) -> Self {
        OutDirs {
            methods: dir.to_path_buf(),
            events: dir.to_path_buf(),
        }
    }
}

/// Writes drafts for `methods` from the pages under `docs_dir` into `out_dir`.
/// Errors are IO problems.
pub fn import(
    docs_dir: &Path,
    out_dir: &Path,
    methods: &[String],
    force: bool,
) -> Result<Vec<(String, Outcome)>, String> {
    import_into(docs_dir, &OutDirs::single(out_dir), methods, force)
}

/// Writes drafts for `names` (methods, or events by wire name in any case) from the pages
/// under `docs_dir`: methods into `out.methods`, events into `out.events`. A name that is
/// both a method and an event is drafted as the method. Errors are IO problems.
pub fn import_into(
    docs_dir: &Path,
    out: &OutDirs,
    methods: &[String],
    force: bool,
) -> Result<Vec<(String, Outcome)>, String> {
    let out_dir = out.methods.as_path();
    if !docs_dir.is_dir() {
        return Err(format!("{}: not a directory", docs_dir.display()));
    }
    let docs = parse_dir(docs_dir).map_err(|e| format!("{}: {e}", docs_dir.display()))?;
    let mut results = Vec::new();
    for name in methods {
        let facts = docs.methods.get(name).or_else(|| {
            docs.methods
                .values()
                .find(|f| f.method.eq_ignore_ascii_case(name))
        });
        let Some(f) = facts else {
            let outcome = match docs.events.get(&name.to_ascii_uppercase()) {
                Some(e) => write_event(e, &out.events, force)?,
                None => Outcome::NotDocumented,
            };
            let shown = match outcome {
                Outcome::NotDocumented => name.clone(),
                _ => name.to_ascii_uppercase(),
            };
            results.push((shown, outcome));
            continue;
        };
        let path = out_dir.join(format!("{}.yaml", f.method));
        if path.exists() && !force {
            results.push((f.method.clone(), Outcome::Exists(path)));
            continue;
        }
        let text = draft_yaml(f)?;
        std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        results.push((f.method.clone(), Outcome::Written(path)));
    }
    Ok(results)
}

/// Writes the draft of one event into `dir`, unless the file exists and `force` is off.
fn write_event(e: &EventFacts, dir: &Path, force: bool) -> Result<Outcome, String> {
    let path = dir.join(format!("{}.yaml", e.event));
    if path.exists() && !force {
        return Ok(Outcome::Exists(path));
    }
    let text = draft_event_yaml(e)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Outcome::Written(path))
}

const USAGE: &str =
    "usage: bitrix-tools import --docs DIR [--out DIR] [--force] METHOD_OR_EVENT...";

/// Command-line entry: `args` are the words after `import`. Returns the exit status
/// (0 all written, 1 a name not documented or a file exists, 2 usage or IO error).
pub fn cli(args: &[String]) -> u8 {
    let mut docs = None;
    let mut out: Option<PathBuf> = None;
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
                out = Some(PathBuf::from(v));
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
        eprintln!("bitrix-tools import: name at least one method or event\n{USAGE}");
        return 2;
    }
    let dirs = match &out {
        Some(d) => OutDirs::single(d),
        None => OutDirs {
            methods: PathBuf::from("spec/methods"),
            events: PathBuf::from("spec/events"),
        },
    };
    match import_into(&docs, &dirs, &methods, force) {
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
