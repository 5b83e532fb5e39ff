//! Reader of the official documentation pages (YFM Markdown) into method and event facts.
//!
//! [`parse_page`] turns one page into [`PageFacts`] (when it documents a method) and a
//! list of [`Warning`]s for everything on the page it could not read; [`parse_dir`] does
//! that for every `.md` file under a directory and keys the facts by method name, not by
//! file path, because pages move. [`parse_error_page`] reads a page that is only a list
//! of errors (the shared system-errors include). Includes are not followed: the method
//! sections of a page only include boilerplate (the required-marker note, the examples
//! note, the error envelope and the system errors), and any other include met there is
//! reported.
//!
//! The work is split by concern:
//! - [`yfm`]: block structure (headings, tables with multi-line cells, notes, includes);
//! - [`outline`]: the section tree built from the headings;
//! - [`inline`]: plain text, code spans, links and method-name tokens of a fragment;
//! - [`fields`]: parameter and result tables into field trees, nested sections included;
//! - [`errors`]: error tables in any column order;
//! - [`types`]: written types and the equivalence rules with the spec's types;
//! - [`page`]: what a page is about (method, scopes, deprecation) and assembly of facts;
//! - [`events`]: event pages (one event per page, or one `##` section per event) into
//!   [`EventFacts`].

pub mod errors;
pub mod events;
pub mod fields;
pub mod inline;
pub mod outline;
pub mod page;
pub mod types;
pub mod yfm;

use bitrix_codegen::spec::Required;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use events::{parse_event_page, DocExample, EventFacts, ParsedEvents};
pub use page::{parse_error_page, parse_page, ParsedPage};

/// The environment variable that names the documentation directory for tests and CI.
pub const DOCS_DIR_VAR: &str = "BITRIX_DOCS_DIR";

/// The documentation directory named by [`DOCS_DIR_VAR`], for tests that read the docs.
///
/// `Ok(None)` (after printing why) when it is unset outside CI, so the test can skip; an error
/// when it is unset under CI (`CI` set) or does not hold `api-reference/`: there the test must
/// fail, not skip.
pub fn dir_from_env() -> Result<Option<PathBuf>, String> {
    match std::env::var_os(DOCS_DIR_VAR).map(PathBuf::from) {
        Some(d) if d.join("api-reference").is_dir() => Ok(Some(d)),
        Some(d) => Err(format!("{DOCS_DIR_VAR}={} holds no api-reference/", d.display())),
        None if std::env::var_os("CI").is_some() => Err(format!(
            "{DOCS_DIR_VAR} is not set; CI must point it at the official docs (../shared/b24restdocs)"
        )),
        None => {
            eprintln!("skipped: set {DOCS_DIR_VAR} to the documentation directory to run this test");
            Ok(None)
        }
    }
}

/// Something on a page the parser could not read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Page path relative to the documentation root (`/`-separated).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// What could not be read, and why.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// A documented parameter, or a field of a documented object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocField {
    /// Wire name as written (`CHAT_ID`, `fields`), without required markers.
    pub name: String,
    /// The type as written, links and code marks removed (`string|integer`, `User[]`);
    /// `None` when the row gives no type.
    pub ty: Option<String>,
    /// Required marker (`*`, `^*^`) or "required only for webhooks" wording.
    pub required: Required,
    /// Fields of the object (from a nested section, a nested table or dotted names).
    pub fields: Vec<DocField>,
    /// 1-based line of the row.
    pub line: usize,
}

/// What `result` holds, when the page has a "Returned Data" table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocResult {
    /// The type of `result` as written; `object` when the table lists the fields of
    /// `result` directly instead of a `result` row; `None` when the row has no type.
    pub ty: Option<String>,
    /// The fields of `result`, when documented.
    pub fields: Vec<DocField>,
    /// 1-based line of the table.
    pub line: usize,
}

/// One row of a "Possible Error Codes" table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocError {
    /// HTTP status from the table's status column; `None` when the table has none.
    pub status: Option<u16>,
    /// For a table without a status column: the status named by the section's
    /// `HTTP Status:` line when it names exactly one. The line describes the section's
    /// example, so this is a likely status, not a documented one.
    pub section_status: Option<u16>,
    /// The `error` code.
    pub code: String,
    /// The `error_description` text, when the table gives one.
    pub message: Option<String>,
    /// 1-based line of the row.
    pub line: usize,
}

/// A deprecation notice at the top of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocDeprecation {
    /// Methods the notice points to instead, in order.
    pub replacements: Vec<String>,
    /// The notice says the method does not work at all ("the method is not operational").
    pub inoperative: bool,
    /// 1-based line of the notice.
    pub line: usize,
}

/// Everything read from one method page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageFacts {
    /// Wire name of the method.
    pub method: String,
    /// Page path relative to the documentation root (`/`-separated).
    pub path: String,
    /// 1-based line of the title.
    pub line: usize,
    /// Scopes from the `> Scope:` line.
    pub scopes: Vec<String>,
    /// The "who can execute" line, as written (plain text).
    pub access: Option<String>,
    /// Parameters, in page order.
    pub params: Vec<DocField>,
    /// 1-based line of the parameters heading, when the page has one.
    pub params_line: Option<usize>,
    /// The documented result, when the page has a "Returned Data" table.
    pub result: Option<DocResult>,
    /// The method's own error rows, in page order (system errors are not included).
    pub errors: Vec<DocError>,
    /// Set when the page carries a deprecation notice.
    pub deprecated: Option<DocDeprecation>,
}

impl PageFacts {
    /// Whether the page marks the method as deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.deprecated.is_some()
    }
}

/// All method pages of a documentation directory.
#[derive(Debug, Clone, Default)]
pub struct DocSet {
    /// The directory that was read.
    pub root: PathBuf,
    /// Facts by method wire name.
    pub methods: BTreeMap<String, PageFacts>,
    /// Facts by event wire name (upper case).
    pub events: BTreeMap<String, EventFacts>,
    /// Warnings of every page, sorted.
    pub warnings: Vec<Warning>,
    /// Number of `.md` files read.
    pub pages: usize,
}

/// Reads every `.md` file under `root` (sorted, recursively) for methods and events. A
/// method or event documented on two pages keeps the first page and warns about the second. Fails only when the directory
/// itself cannot be listed; unreadable files become warnings.
pub fn parse_dir(root: &Path) -> std::io::Result<DocSet> {
    let mut files = Vec::new();
    let mut set = DocSet {
        root: root.to_path_buf(),
        ..DocSet::default()
    };
    collect_md(root, root, &mut files, &mut set.warnings)?;
    files.sort();
    for rel in files {
        set.pages += 1;
        let text = match std::fs::read_to_string(root.join(&rel)) {
            Ok(t) => t,
            Err(e) => {
                set.warnings.push(Warning {
                    path: rel.clone(),
                    line: 0,
                    message: format!("cannot read the page: {e}"),
                });
                continue;
            }
        };
        let parsed_events = parse_event_page(&rel, &text);
        set.warnings.extend(parsed_events.warnings);
        for e in parsed_events.events {
            match set.events.get(&e.event) {
                Some(first) => set.warnings.push(Warning {
                    path: rel.clone(),
                    line: e.line,
                    message: format!(
                        "event {} is also documented on {}; this one is ignored",
                        e.event,
                        first.docs_path()
                    ),
                }),
                None => {
                    set.events.insert(e.event.clone(), e);
                }
            }
        }
        let parsed = parse_page(&rel, &text);
        set.warnings.extend(parsed.warnings);
        if let Some(facts) = parsed.facts {
            match set.methods.get(&facts.method) {
                Some(first) => set.warnings.push(Warning {
                    path: rel.clone(),
                    line: facts.line,
                    message: format!(
                        "method {} is also documented on {}; this page is ignored",
                        facts.method, first.path
                    ),
                }),
                None => {
                    set.methods.insert(facts.method.clone(), facts);
                }
            }
        }
    }
    set.warnings.sort();
    Ok(set)
}

/// Relative `/`-separated paths of the `.md` files under `dir`.
fn collect_md(
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
    warnings: &mut Vec<Warning>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            // A subdirectory that cannot be listed is reported rather than failing all.
            if let Err(e) = collect_md(root, &path, out, warnings) {
                warnings.push(Warning {
                    path: rel_path(root, &path),
                    line: 0,
                    message: format!("cannot list the directory: {e}"),
                });
            }
        } else if path.extension().and_then(|e| e.to_str()) == Some("md") {
            out.push(rel_path(root, &path));
        }
    }
    Ok(())
}

/// `path` relative to `root`, `/`-separated.
fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
