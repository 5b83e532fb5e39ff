//! Loading: reads the spec directory into the model, in sorted file order.
//!
//! Every file that cannot be read or parsed becomes a [`Diagnostic`] with its line and
//! column; the files that do parse are still returned, so that one broken file does not
//! hide the problems of the others. Files come from a [`Source`]: the disk, or texts in
//! memory (for fuzzing and tests). Either way a file must be a regular file of at most
//! [`MAX_FILE_BYTES`] whose YAML nests at most [`MAX_DEPTH`] levels.

mod nesting;
mod source;

pub use source::{Source, MAX_FILE_BYTES};

use crate::diag::Diagnostic;
use crate::spec::{EventSpec, MethodSpec, ScopesFile, SystemErrorsFile, TypesFile};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed value with the file it came from.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The file.
    pub path: PathBuf,
    /// Its content.
    pub value: T,
}

/// Everything under a spec directory.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    /// The directory it was loaded from.
    pub root: PathBuf,
    /// Method files by wire name. A name defined twice keeps the first file (sorted order).
    pub methods: BTreeMap<String, Loaded<MethodSpec>>,
    /// `scopes.yaml`.
    pub scopes: Option<Loaded<ScopesFile>>,
    /// `common/errors.yaml`.
    pub system_errors: Option<Loaded<SystemErrorsFile>>,
    /// `common/types.yaml`.
    pub types: Option<Loaded<TypesFile>>,
    /// `types/<module>.yaml`: named types of one namespace module, by module name.
    pub module_types: BTreeMap<String, Loaded<TypesFile>>,
    /// Event files by wire name (`events/<EVENT>.yaml`). A name defined twice keeps the first.
    pub events: BTreeMap<String, Loaded<EventSpec>>,
}

/// The deepest nesting of YAML levels (block and flow) accepted in a spec file.
pub const MAX_DEPTH: usize = 64;

/// Loads `dir` (the `spec/` directory) from disk. Returns what parsed and the problems met.
pub fn load_dir(dir: &Path) -> (SpecSet, Vec<Diagnostic>) {
    load_from(Source::Disk, dir)
}

/// Loads the spec directory `dir` from `src`. Returns what parsed and the problems met.
pub fn load_from(src: Source<'_>, dir: &Path) -> (SpecSet, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut set = SpecSet {
        root: dir.to_path_buf(),
        ..SpecSet::default()
    };
    if !src.is_dir(dir) {
        diags
            .push(Diagnostic::new(dir, "", "not a directory").hint(
                "pass the spec directory, the one holding scopes.yaml, common/ and methods/",
            ));
        return (set, diags);
    }
    set.scopes = load_required(src, &dir.join("scopes.yaml"), &mut diags);
    set.system_errors = load_required(src, &dir.join("common/errors.yaml"), &mut diags);
    set.types = load_required(src, &dir.join("common/types.yaml"), &mut diags);

    let types_dir = dir.join("types");
    if src.is_dir(&types_dir) {
        let mut files: Vec<PathBuf> = src.list(&types_dir).unwrap_or_default();
        files.sort();
        for path in files
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            let module = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            if let Some(value) = load_from_source::<TypesFile>(src, &path, &mut diags) {
                set.module_types.insert(module, Loaded { path, value });
            }
        }
    }

    let methods_dir = dir.join("methods");
    let mut files = match src.list(&methods_dir) {
        Ok(files) => files,
        Err(e) => {
            diags.push(
                Diagnostic::new(&methods_dir, "", format!("cannot read directory: {e}"))
                    .hint("create spec/methods/ with one <method>.yaml per method"),
            );
            Vec::new()
        }
    };
    files.sort();
    for path in files {
        let ext = path.extension().and_then(|e| e.to_str());
        if ext != Some("yaml") {
            if ext == Some("yml") {
                diags.push(
                    Diagnostic::new(&path, "", "method files end in .yaml")
                        .hint("rename the file to .yaml"),
                );
            }
            continue;
        }
        load_method(src, &mut set, path, &mut diags);
    }
    load_events(src, &dir.join("events"), &mut set, &mut diags);
    (set, diags)
}

/// Loads the method file `path` from `src` into `set`: checks that the file is named after
/// its method and that no other file defines it.
fn load_method(src: Source<'_>, set: &mut SpecSet, path: PathBuf, diags: &mut Vec<Diagnostic>) {
    let Some(spec) = load_from_source::<MethodSpec>(src, &path, diags) else {
        return;
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != spec.method {
        diags.push(
            Diagnostic::new(
                &path,
                "method",
                format!("file name does not match the method \"{}\"", spec.method),
            )
            .hint(format!("name the file {}.yaml", spec.method)),
        );
    }
    match set.methods.get(&spec.method) {
        Some(first) => diags.push(
            Diagnostic::new(
                &path,
                "method",
                format!(
                    "duplicate method \"{}\", already defined in {}",
                    spec.method,
                    first.path.display()
                ),
            )
            .hint("keep one file per method"),
        ),
        None => {
            set.methods
                .insert(spec.method.clone(), Loaded { path, value: spec });
        }
    }
}

/// Loads the event file `path` from `src` into `set`, with the same checks as a method file.
fn load_event(src: Source<'_>, set: &mut SpecSet, path: PathBuf, diags: &mut Vec<Diagnostic>) {
    let Some(spec) = load_from_source::<EventSpec>(src, &path, diags) else {
        return;
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != spec.event {
        diags.push(
            Diagnostic::new(
                &path,
                "event",
                format!("file name does not match the event \"{}\"", spec.event),
            )
            .hint(format!("name the file {}.yaml", spec.event)),
        );
    }
    match set.events.get(&spec.event) {
        Some(first) => diags.push(
            Diagnostic::new(
                &path,
                "event",
                format!(
                    "duplicate event \"{}\", already defined in {}",
                    spec.event,
                    first.path.display()
                ),
            )
            .hint("keep one file per event"),
        ),
        None => {
            set.events
                .insert(spec.event.clone(), Loaded { path, value: spec });
        }
    }
}

/// Loads one file of the spec directory from `src` into an already loaded `set`, at the place
/// its path inside `set.root` gives (`scopes.yaml`, `common/errors.yaml`, `common/types.yaml`,
/// `types/<module>.yaml`, `methods/<method>.yaml`, `events/<EVENT>.yaml`). It replaces what
/// the set held from that path; a file that does not load leaves the place empty, as a fresh
/// load would. Used to check one changed file beside shared files loaded once (the fuzz
/// target). A path that names no spec file is reported.
pub fn load_into(src: Source<'_>, set: &mut SpecSet, path: &Path, diags: &mut Vec<Diagnostic>) {
    let rel = path.strip_prefix(&set.root).unwrap_or(path);
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let yaml = |name: &str| name.strip_suffix(".yaml").map(str::to_string);
    match parts.as_slice() {
        ["scopes.yaml"] => set.scopes = load_required(src, path, diags),
        ["common", "errors.yaml"] => set.system_errors = load_required(src, path, diags),
        ["common", "types.yaml"] => set.types = load_required(src, path, diags),
        ["types", file] if yaml(file).is_some() => {
            let module = yaml(file).unwrap_or_default();
            set.module_types.remove(&module);
            if let Some(value) = load_from_source::<TypesFile>(src, path, diags) {
                let path = path.to_path_buf();
                set.module_types.insert(module, Loaded { path, value });
            }
        }
        ["methods", file] if yaml(file).is_some() => {
            set.methods.retain(|_, m| m.path != path);
            load_method(src, set, path.to_path_buf(), diags);
        }
        ["events", file] if yaml(file).is_some() => {
            set.events.retain(|_, e| e.path != path);
            load_event(src, set, path.to_path_buf(), diags);
        }
        _ => diags.push(
            Diagnostic::new(path, "", "not a file of the spec directory").hint(
                "spec files are scopes.yaml, common/{errors,types}.yaml, types/<module>.yaml, \
                 methods/<method>.yaml and events/<EVENT>.yaml",
            ),
        ),
    }
}

/// Loads `events/*.yaml` from `src`, when the directory exists (a spec without events is fine).
fn load_events(src: Source<'_>, events_dir: &Path, set: &mut SpecSet, diags: &mut Vec<Diagnostic>) {
    if !src.is_dir(events_dir) {
        return;
    }
    let mut files: Vec<PathBuf> = src.list(events_dir).unwrap_or_default();
    files.sort();
    for path in files {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => load_event(src, set, path, diags),
            Some("yml") => diags.push(
                Diagnostic::new(&path, "", "event files end in .yaml")
                    .hint("rename the file to .yaml"),
            ),
            _ => {}
        }
    }
}

fn load_required<T: DeserializeOwned>(
    src: Source<'_>,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    load_from_source(src, path, diags).map(|value| Loaded {
        path: path.to_path_buf(),
        value,
    })
}

/// Reads and parses one YAML file from disk; a problem becomes a diagnostic with line and
/// column.
pub fn load_file<T: DeserializeOwned>(path: &Path, diags: &mut Vec<Diagnostic>) -> Option<T> {
    load_from_source(Source::Disk, path, diags)
}

/// Reads and parses one YAML file from `src`; a problem becomes a diagnostic.
pub fn load_from_source<T: DeserializeOwned>(
    src: Source<'_>,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let text = match src.read(path) {
        Ok(t) => t,
        Err((message, hint)) => {
            let mut d = Diagnostic::new(path, "", message);
            d.hint = hint;
            diags.push(d);
            return None;
        }
    };
    if let Some((line, depth)) = nesting::too_deep(&text, MAX_DEPTH) {
        diags.push(
            Diagnostic::new(
                path,
                format!("line {line}"),
                format!("nesting reaches {depth} levels, over the limit of {MAX_DEPTH}"),
            )
            .hint("no spec file needs this depth: flatten the structure or fix the brackets"),
        );
        return None;
    }
    match parse_str(&text) {
        Ok(v) => Some(v),
        Err((place, message, hint)) => {
            let mut d = Diagnostic::new(path, place, message);
            d.hint = hint;
            diags.push(d);
            None
        }
    }
}

/// Parses YAML text; on failure returns (place, message, hint).
pub fn parse_str<T: DeserializeOwned>(text: &str) -> Result<T, (String, String, Option<String>)> {
    serde_yaml::from_str(text).map_err(|e| {
        let place = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        let raw = e.to_string();
        // serde_yaml appends " at line L column C"; the place already says it.
        let message = match raw.find(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let hint = hint_for(&message);
        (place, message, hint)
    })
}

fn hint_for(message: &str) -> Option<String> {
    if message.contains("unknown field `") {
        // "unknown field `requird`, expected one of `name`, `required`, ..."
        let ticks: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        if let Some((got, known)) = ticks.split_first() {
            if let Some(best) = crate::diag::closest(got, known.iter().copied()) {
                return Some(format!("did you mean `{best}`?"));
            }
        }
        Some(
            "remove the key or fix its spelling; the keys are listed in docs/spec-format.md".into(),
        )
    } else if message.contains("missing field `") {
        Some("add the key; docs/spec-format.md says what it holds".into())
    } else if message.contains("did not find expected")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected")
    {
        Some(
            "the YAML itself is malformed: check indentation and quote values that contain ': '"
                .into(),
        )
    } else {
        None
    }
}
