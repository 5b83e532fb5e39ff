//! Drift check: compares the documentation pages with the spec, method by method and
//! event by event.
//!
//! `bitrix-tools drift --docs DIR [--spec DIR] [--only PREFIX...] [--format text|json]`
//! reads every method page under the docs directory ([`crate::apidocs::parse_dir`]) and
//! every `methods/*.yaml` of the spec, pairs them by wire name (not by page path, since
//! pages move) and reports each difference as a [`Finding`] naming the method and the
//! parameter, field or error code. Exit status: 0 no drift, 1 drift, 2 usage or IO error.
//!
//! # Which methods are compared
//!
//! With `--only`, only methods whose wire name starts with one of the prefixes are looked
//! at, on both sides; every documented method under a prefix that the spec lacks is
//! reported as `missing_from_spec`. Without `--only`, every spec method is compared, and a
//! documented method is reported missing only when its *group* (the name without its last
//! segment: `imopenlines.session.mode` for `imopenlines.session.mode.pin`) already has a
//! method in the spec. That flags a method the docs add next to ones the spec covers,
//! without demanding that the spec cover whole sections it has not started. A spec method
//! with no page is `not_documented`.
//!
//! # Deliberate differences
//!
//! A spec method's `deviations` list names the items it treats differently from the page
//! on purpose, each with a reason. A finding of that method whose item is such a name
//! (the parameter or field path as printed, `MESSAGES.user`; for result fields with or
//! without the leading `result.`; an error code), or lies under it (`LANG` covers
//! `LANG.TITLE`), is reported as accepted and does not fail the check. A deviation that
//! matches no finding fails it as `deviation_unused`, so the list never outlives the
//! difference it explains.
//!
//! # Events
//!
//! `events/*.yaml` of the spec are compared with the event pages
//! ([`crate::apidocs::events`]) by wire name, in any case, with the same kinds: the page
//! path with its `#anchor` against `docs:`, scopes, deprecation, and the fields of `data`
//! as result fields (items `data.PARAMS.MESSAGE`; the result kinds are used), plus
//! `field_required_changed` on pages that mark any field required. `--only` prefixes match
//! event names in any case. Without `--only`, a documented event is `missing_from_spec`
//! when the spec has an event documented in the same directory; a spec event no page
//! documents is `not_documented`. Deviations name `data` fields with or without `data.`.
//!
//! When the docs have `_includes/system-errors.md` and the spec has
//! `common/errors.yaml`, the two are compared under the name `(system errors)`.
//!
//! # What is compared
//!
//! - the page path against `docs:`; scopes as sets (skipped when the page has no scope
//!   line); deprecation and the named replacement;
//! - parameters and result fields by name, at every depth: added, removed, renamed (a
//!   removed and an added name equal up to case and `_`/`-`, or the only removed and the
//!   only added name at the same position with equivalent types), type changes under the
//!   rules of [`crate::apidocs::types`], and for parameters required-flag changes
//!   (`true`, `false`, `webhook`; a page that stars every member of what the spec
//!   declares a `one_of` group, with the spec saying `false`, is not a change). Nested
//!   fields are compared only where the page
//!   documents them and the parent's type did not change; a spec field whose type is a named type (`time`) keeps its fields in
//!   `common/types.yaml` and is not descended into. Where the page types a field with a
//!   named entity (`Bot`, `User[]`) its table may list only some of the entity's fields
//!   (the entity is described on another page), so spec fields missing from that table
//!   are not reported; fields the page adds still are. A documented object whose only field
//!   is a placeholder key (`<chatId>`, `{BOT_ID}`) is a map: the placeholder's fields are
//!   compared with the spec field's fields;
//! - errors by code, every row kept: a code on the page and not in the spec is added, the
//!   reverse removed; rows of one code are paired in order and their status (only when
//!   the table has a status column: a status guessed from the section's example line is
//!   not compared) and message (whitespace-normalised) compared. A page's `Empty string`
//!   code is the spec's `code: ""`; its findings are named `(empty code)`.

use crate::apidocs::types::{
    equivalent, field_atoms, fits_encoding, named_type, parse_doc_type, render, result_atoms, Atom,
};
use crate::apidocs::{
    page::parse_error_page, parse_dir, DocDeprecation, DocError, DocField, DocResult, DocSet,
    EventFacts, PageFacts,
};
use bitrix_codegen::load::load_file;
use bitrix_codegen::spec::{
    Deprecation, Deviation, ErrorSpec, EventSpec, Field, MethodSpec, Required, ResultSpec,
    SystemErrorsFile,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The kind of a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A documented method (or event) the spec lacks.
    MissingFromSpec,
    /// A spec method (or event) no page documents.
    NotDocumented,
    /// The spec method's name differs from the page's only in case.
    MethodNameChanged,
    /// The page moved: `docs:` names another path.
    DocsPathChanged,
    /// The scopes differ.
    ScopesChanged,
    /// The page marks the method deprecated; the spec does not.
    DeprecationAdded,
    /// The spec marks the method deprecated; the page does not.
    DeprecationRemoved,
    /// One side says the method does not work at all, the other only that it is deprecated.
    DeprecationChanged,
    /// The replacement differs.
    ReplacementChanged,
    /// A parameter (or nested field of one) on the page, not in the spec.
    ParamAdded,
    /// A parameter in the spec, not on the page.
    ParamRemoved,
    /// A parameter whose name changed.
    ParamRenamed,
    /// A parameter whose type changed.
    ParamTypeChanged,
    /// A parameter whose required flag changed.
    ParamRequiredChanged,
    /// The type of `result` changed.
    ResultTypeChanged,
    /// A result field on the page, not in the spec.
    ResultFieldAdded,
    /// A result field in the spec, not on the page.
    ResultFieldRemoved,
    /// A result field whose name changed.
    ResultFieldRenamed,
    /// A result field whose type changed.
    ResultFieldTypeChanged,
    /// An error code on the page, not in the spec.
    ErrorAdded,
    /// An error code in the spec, not on the page.
    ErrorRemoved,
    /// An error's HTTP status changed.
    ErrorStatusChanged,
    /// An error's message changed.
    ErrorMessageChanged,
    /// An event field whose required flag changed (compared only on pages that mark
    /// fields required).
    FieldRequiredChanged,
    /// A spec `deviations` entry that matches no finding any more.
    DeviationUnused,
}

impl Kind {
    /// The snake_case name used in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingFromSpec => "missing_from_spec",
            Kind::NotDocumented => "not_documented",
            Kind::MethodNameChanged => "method_name_changed",
            Kind::DocsPathChanged => "docs_path_changed",
            Kind::ScopesChanged => "scopes_changed",
            Kind::DeprecationAdded => "deprecation_added",
            Kind::DeprecationRemoved => "deprecation_removed",
            Kind::DeprecationChanged => "deprecation_changed",
            Kind::ReplacementChanged => "replacement_changed",
            Kind::ParamAdded => "param_added",
            Kind::ParamRemoved => "param_removed",
            Kind::ParamRenamed => "param_renamed",
            Kind::ParamTypeChanged => "param_type_changed",
            Kind::ParamRequiredChanged => "param_required_changed",
            Kind::ResultTypeChanged => "result_type_changed",
            Kind::ResultFieldAdded => "result_field_added",
            Kind::ResultFieldRemoved => "result_field_removed",
            Kind::ResultFieldRenamed => "result_field_renamed",
            Kind::ResultFieldTypeChanged => "result_field_type_changed",
            Kind::ErrorAdded => "error_added",
            Kind::ErrorRemoved => "error_removed",
            Kind::ErrorStatusChanged => "error_status_changed",
            Kind::ErrorMessageChanged => "error_message_changed",
            Kind::FieldRequiredChanged => "field_required_changed",
            Kind::DeviationUnused => "deviation_unused",
        }
    }
}

/// One difference between a page and the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Wire name of the method or event.
    pub method: String,
    /// What differs.
    pub kind: Kind,
    /// The parameter or field path (`FIELDS.PROPERTIES.NAME`), the error code, or empty
    /// for the method itself.
    pub item: String,
    /// What the page says, when it says something.
    pub docs: Option<String>,
    /// What the spec says, when it says something.
    pub spec: Option<String>,
    /// The page, relative to the docs directory.
    pub page: Option<String>,
    /// The line on the page.
    pub line: Option<usize>,
}

/// The outcome of a drift check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Methods and events compared (present on both sides), sorted.
    pub compared: Vec<String>,
    /// Every difference, sorted by method, kind and item.
    pub findings: Vec<Finding>,
    /// Parser warnings for the pages of compared methods: facts that could not be read.
    pub warnings: Vec<crate::apidocs::Warning>,
    /// Findings matched by a spec method's `deviations` (deliberate differences), sorted.
    pub accepted: Vec<Finding>,
}

/// Whether a finding's item is covered by a deviation named `name`.
fn deviation_covers(name: &str, item: &str) -> bool {
    let covers = |i: &str| i == name || i.strip_prefix(name).is_some_and(|r| r.starts_with('.'));
    !item.is_empty()
        && (covers(item)
            || item.strip_prefix("result.").is_some_and(covers)
            || item.strip_prefix("data.").is_some_and(covers))
}

/// Splits one method's findings into (kept, accepted) by the spec's `deviations`; a
/// deviation that matches nothing is added to the kept ones as [`Kind::DeviationUnused`].
pub fn apply_deviations(findings: Vec<Finding>, m: &MethodSpec) -> (Vec<Finding>, Vec<Finding>) {
    split_by_deviations(findings, &m.method, &m.docs, &m.deviations)
}

/// [`apply_deviations`] for a spec event.
pub fn apply_event_deviations(
    findings: Vec<Finding>,
    e: &EventSpec,
) -> (Vec<Finding>, Vec<Finding>) {
    split_by_deviations(findings, &e.event, &e.docs, &e.deviations)
}

fn split_by_deviations(
    findings: Vec<Finding>,
    owner: &str,
    docs: &str,
    deviations: &[Deviation],
) -> (Vec<Finding>, Vec<Finding>) {
    let mut used = vec![false; deviations.len()];
    let (mut kept, mut accepted) = (Vec::new(), Vec::new());
    for f in findings {
        match deviations
            .iter()
            .position(|d| deviation_covers(&d.name, &f.item))
        {
            Some(i) => {
                used[i] = true;
                accepted.push(f);
            }
            None => kept.push(f),
        }
    }
    for (d, _) in deviations.iter().zip(&used).filter(|(_, u)| !**u) {
        kept.push(Finding {
            method: owner.to_string(),
            kind: Kind::DeviationUnused,
            item: d.name.clone(),
            docs: None,
            spec: Some(d.reason.clone()),
            page: Some(docs.to_string()),
            line: None,
        });
    }
    (kept, accepted)
}

/// Which documented methods the spec is expected to have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every method whose wire name starts with one of these prefixes (both sides are
    /// restricted to them).
    Prefixes(Vec<String>),
    /// Methods in a group (name without its last segment) the spec already covers.
    SpecGroups,
}

impl Coverage {
    fn admits(&self, method: &str) -> bool {
        match self {
            Coverage::Prefixes(p) => p.iter().any(|p| method.starts_with(p.as_str())),
            Coverage::SpecGroups => true,
        }
    }

    /// As [`Coverage::admits`] for an event: prefixes match its wire name in any case.
    fn admits_event(&self, event: &str) -> bool {
        match self {
            Coverage::Prefixes(p) => p
                .iter()
                .any(|p| event.starts_with(p.to_ascii_uppercase().as_str())),
            Coverage::SpecGroups => true,
        }
    }
}

/// The group of a method: its name without the last segment.
fn group(method: &str) -> Option<&str> {
    method.rsplit_once('.').map(|(g, _)| g)
}

/// Compares a documentation set with spec methods (by wire name).
pub fn compare(docs: &DocSet, spec: &BTreeMap<String, MethodSpec>, coverage: &Coverage) -> Report {
    let mut report = Report::default();
    let lower_docs: BTreeMap<String, &PageFacts> = docs
        .methods
        .values()
        .map(|f| (f.method.to_ascii_lowercase(), f))
        .collect();
    let mut matched_pages = BTreeSet::new();
    for (name, m) in spec.iter().filter(|(n, _)| coverage.admits(n)) {
        let facts = docs
            .methods
            .get(name)
            .or_else(|| lower_docs.get(&name.to_ascii_lowercase()).copied());
        match facts {
            Some(f) => {
                matched_pages.insert(f.method.clone());
                let compared = apply_deviations(compare_method(f, m), m);
                record_match(
                    &mut report,
                    docs,
                    name,
                    (&f.method, &f.path, f.line),
                    compared,
                );
            }
            None => report.findings.push(undocumented(name, &m.docs)),
        }
    }
    // One-word methods (`scope`, `batch`) form no group: each is compared by its own name only
    // (`batch` is the runtime's `Client::batch`, not a spec method).
    let groups: BTreeSet<&str> = spec.keys().filter_map(|n| group(n)).collect();
    for f in docs.methods.values() {
        if matched_pages.contains(&f.method) {
            continue;
        }
        let expected = match coverage {
            Coverage::Prefixes(_) => coverage.admits(&f.method),
            Coverage::SpecGroups => group(&f.method).is_some_and(|g| groups.contains(g)),
        };
        if expected {
            report.findings.push(Finding {
                method: f.method.clone(),
                kind: Kind::MissingFromSpec,
                item: String::new(),
                docs: f.is_deprecated().then(|| "deprecated".to_string()),
                spec: None,
                page: Some(f.path.clone()),
                line: Some(f.line),
            });
        }
    }
    report.findings.sort();
    report.accepted.sort();
    report.warnings.sort();
    report
}

/// Every difference between one page's facts and one spec method.
pub fn compare_method(f: &PageFacts, m: &MethodSpec) -> Vec<Finding> {
    let mut c = Cmp {
        method: &m.method,
        page: &f.path,
        out: Vec::new(),
    };
    if f.path != m.docs {
        c.push(
            Kind::DocsPathChanged,
            "",
            Some(f.path.clone()),
            Some(m.docs.clone()),
            Some(f.line),
        );
    }
    if !f.scopes.is_empty() {
        let d: BTreeSet<&str> = f.scopes.iter().map(String::as_str).collect();
        let s: BTreeSet<&str> = m.scopes.iter().map(String::as_str).collect();
        if d != s {
            c.push(
                Kind::ScopesChanged,
                "",
                Some(join(&d)),
                Some(join(&s)),
                Some(f.line),
            );
        }
    }
    c.deprecation(f.deprecated.as_ref(), m.deprecated.as_ref(), f.line);
    let top = Level {
        spec: &m.params,
        one_of: &m.one_of,
        prefix: String::new(),
        partial: false,
    };
    c.fields(&f.params, &top, FieldKinds::PARAMS);
    if let Some(r) = &f.result {
        c.result(r, &m.result);
    }
    c.errors(&f.errors, &on_own_page(&m.errors));
    c.out
}

/// Every difference between one event's facts and one spec event.
pub fn compare_event(f: &EventFacts, e: &EventSpec) -> Vec<Finding> {
    let page = f.docs_path();
    let mut c = Cmp {
        method: &e.event,
        page: &f.path,
        out: Vec::new(),
    };
    if page != e.docs {
        c.push(
            Kind::DocsPathChanged,
            "",
            Some(page.clone()),
            Some(e.docs.clone()),
            Some(f.line),
        );
    }
    if !f.scopes.is_empty() {
        let d: BTreeSet<&str> = f.scopes.iter().map(String::as_str).collect();
        let s: BTreeSet<&str> = e.scopes.iter().map(String::as_str).collect();
        if d != s {
            c.push(
                Kind::ScopesChanged,
                "",
                Some(join(&d)),
                Some(join(&s)),
                Some(f.line),
            );
        }
    }
    c.deprecation(f.deprecated.as_ref(), e.deprecated.as_ref(), f.line);
    let top = Level {
        spec: &e.data,
        one_of: &[],
        prefix: "data.".into(),
        partial: false,
    };
    let kinds = FieldKinds {
        required: f.marks_required.then_some(Kind::FieldRequiredChanged),
        ..FieldKinds::EVENT
    };
    c.fields(&f.data, &top, kinds);
    c.out
}

/// The directory of a page (`a/b/events` for `a/b/events/x.md#y`): the section an event
/// belongs to.
fn section_of(docs: &str) -> &str {
    let page = docs.split('#').next().unwrap_or(docs);
    page.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Compares the documented events with spec events (by wire name, in any case) and adds
/// the findings to `report`. Without prefixes, a documented event is expected in the spec
/// when the spec already has an event documented in the same directory.
pub fn compare_events(
    docs: &DocSet,
    spec: &BTreeMap<String, EventSpec>,
    coverage: &Coverage,
    report: &mut Report,
) {
    let mut matched = BTreeSet::new();
    for (name, e) in spec.iter().filter(|(n, _)| coverage.admits_event(n)) {
        match docs.events.get(&name.to_ascii_uppercase()) {
            Some(f) => {
                matched.insert(f.event.clone());
                let compared = apply_event_deviations(compare_event(f, e), e);
                record_match(report, docs, name, (&f.event, &f.path, f.line), compared);
            }
            None => report.findings.push(undocumented(name, &e.docs)),
        }
    }
    let sections: BTreeSet<&str> = spec.values().map(|e| section_of(&e.docs)).collect();
    for f in docs.events.values() {
        if matched.contains(&f.event) {
            continue;
        }
        let expected = match coverage {
            Coverage::Prefixes(_) => coverage.admits_event(&f.event),
            Coverage::SpecGroups => sections.contains(section_of(&f.path)),
        };
        if expected {
            report.findings.push(Finding {
                method: f.event.clone(),
                kind: Kind::MissingFromSpec,
                item: String::new(),
                docs: f.deprecated.is_some().then(|| "deprecated".to_string()),
                spec: None,
                page: Some(f.docs_path()),
                line: Some(f.line),
            });
        }
    }
    report.compared.sort();
    report.compared.dedup();
    report.findings.sort();
    report.accepted.sort();
    report.warnings.sort();
    report.warnings.dedup();
}

/// The errors documented on the file's own page (not those that name another page in `docs`).
fn on_own_page(errors: &[ErrorSpec]) -> Vec<ErrorSpec> {
    errors
        .iter()
        .filter(|e| e.docs.is_none())
        .cloned()
        .collect()
}

/// Errors whose `docs` names another page: each code must appear on that page.
pub fn compare_elsewhere(docs_dir: &Path, method: &str, errors: &[ErrorSpec]) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in errors {
        let Some(page) = &e.docs else { continue };
        let text = std::fs::read_to_string(docs_dir.join(page)).unwrap_or_default();
        if !text.contains(&e.code) {
            out.push(Finding {
                method: method.to_string(),
                page: Some(page.clone()),
                kind: Kind::ErrorRemoved,
                item: e.code.clone(),
                docs: None,
                spec: Some(e.status.to_string()),
                line: None,
            });
        }
    }
    out
}

/// Compares the shared system errors of the docs with `common/errors.yaml`.
pub fn compare_system_errors(
    doc: &[DocError],
    page: &str,
    spec: &SystemErrorsFile,
) -> Vec<Finding> {
    let mut c = Cmp {
        method: SYSTEM_ERRORS,
        page,
        out: Vec::new(),
    };
    c.errors(doc, &on_own_page(&spec.errors));
    c.out
}

/// Records a spec item (method or event) matched with its page: the comparison's findings and
/// accepted deviations, a renamed item, and the page's parser warnings. `page` is the name the
/// page gives, its path and line.
fn record_match(
    report: &mut Report,
    docs: &DocSet,
    name: &str,
    page: (&str, &str, usize),
    (kept, accepted): (Vec<Finding>, Vec<Finding>),
) {
    let (page_name, path, line) = page;
    report.compared.push(name.to_string());
    if page_name != name {
        report.findings.push(Finding {
            method: name.to_string(),
            kind: Kind::MethodNameChanged,
            item: String::new(),
            docs: Some(page_name.to_string()),
            spec: Some(name.to_string()),
            page: Some(path.to_string()),
            line: Some(line),
        });
    }
    report.findings.extend(kept);
    report.accepted.extend(accepted);
    report
        .warnings
        .extend(docs.warnings.iter().filter(|w| w.path == path).cloned());
}

/// A spec item that no page documents.
fn undocumented(name: &str, spec_docs: &str) -> Finding {
    Finding {
        method: name.to_string(),
        kind: Kind::NotDocumented,
        item: String::new(),
        docs: None,
        spec: Some(spec_docs.to_string()),
        page: None,
        line: None,
    }
}

/// The item under which findings about errors documented with an empty code (`"error": ""`)
/// are reported, and the name a deviation gives them.
pub const EMPTY_CODE: &str = "(empty code)";

/// The pseudo method name under which system-error drift is reported.
pub const SYSTEM_ERRORS: &str = "(system errors)";

fn join(s: &BTreeSet<&str>) -> String {
    s.iter().copied().collect::<Vec<_>>().join(", ")
}

/// The kinds to use for one family of fields.
#[derive(Clone, Copy)]
struct FieldKinds {
    added: Kind,
    removed: Kind,
    renamed: Kind,
    type_changed: Kind,
    required: Option<Kind>,
}

impl FieldKinds {
    const PARAMS: FieldKinds = FieldKinds {
        added: Kind::ParamAdded,
        removed: Kind::ParamRemoved,
        renamed: Kind::ParamRenamed,
        type_changed: Kind::ParamTypeChanged,
        required: Some(Kind::ParamRequiredChanged),
    };
    const RESULT: FieldKinds = FieldKinds {
        added: Kind::ResultFieldAdded,
        removed: Kind::ResultFieldRemoved,
        renamed: Kind::ResultFieldRenamed,
        type_changed: Kind::ResultFieldTypeChanged,
        required: None,
    };
    /// An event's `data`: what the server sends, like a result; required flags where the
    /// page marks them.
    const EVENT: FieldKinds = FieldKinds {
        required: Some(Kind::FieldRequiredChanged),
        ..FieldKinds::RESULT
    };
}

/// One level of spec fields being compared.
struct Level<'s> {
    /// The spec's fields at this level.
    spec: &'s [Field],
    /// The spec's `one_of` groups at this level.
    one_of: &'s [Vec<String>],
    /// Path of the level (`FIELDS.`), empty at the top.
    prefix: String,
    /// The page lists only some fields of an entity described elsewhere: spec fields
    /// missing from the page are not reported.
    partial: bool,
}

impl Level<'_> {
    fn item(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// Accumulates the findings of one method.
struct Cmp<'a> {
    method: &'a str,
    page: &'a str,
    out: Vec<Finding>,
}

impl Cmp<'_> {
    /// Compares the page's deprecation notice with the spec's `deprecated`.
    fn deprecation(&mut self, d: Option<&DocDeprecation>, s: Option<&Deprecation>, line: usize) {
        match (d, s) {
            (Some(d), None) => self.push(
                Kind::DeprecationAdded,
                "",
                Some(d.replacements.join(", ")).filter(|s| !s.is_empty()),
                None,
                Some(d.line),
            ),
            (None, Some(s)) => self.push(
                Kind::DeprecationRemoved,
                "",
                None,
                s.replacement.clone(),
                Some(line),
            ),
            (Some(d), Some(s)) if d.inoperative != s.inoperative => {
                // "Does not work" and "superseded" are different facts.
                let what = |inoperative: bool| {
                    Some(
                        if inoperative {
                            "not operational"
                        } else {
                            "deprecated"
                        }
                        .to_string(),
                    )
                };
                self.push(
                    Kind::DeprecationChanged,
                    "",
                    what(d.inoperative),
                    what(s.inoperative),
                    Some(d.line),
                );
            }
            (Some(d), Some(s)) => {
                let ok = match &s.replacement {
                    Some(r) => d.replacements.contains(r),
                    None => d.replacements.is_empty(),
                };
                if !ok {
                    self.push(
                        Kind::ReplacementChanged,
                        "",
                        Some(d.replacements.join(", ")).filter(|s| !s.is_empty()),
                        s.replacement.clone(),
                        Some(d.line),
                    );
                }
            }
            (None, None) => {}
        }
    }

    fn push(
        &mut self,
        kind: Kind,
        item: &str,
        docs: Option<String>,
        spec: Option<String>,
        line: Option<usize>,
    ) {
        self.out.push(Finding {
            method: self.method.to_string(),
            kind,
            item: item.to_string(),
            docs,
            spec,
            page: Some(self.page.to_string()),
            line,
        });
    }

    /// Compares two lists of fields at one level, then their children.
    fn fields(&mut self, doc: &[DocField], lv: &Level<'_>, k: FieldKinds) {
        let spec = lv.spec;
        let mut added: Vec<&DocField> = Vec::new();
        let mut pairs: Vec<(&DocField, &Field)> = Vec::new();
        for d in doc {
            match spec.iter().find(|s| s.name == d.name) {
                Some(s) => pairs.push((d, s)),
                None => added.push(d),
            }
        }
        let mut removed: Vec<&Field> = spec
            .iter()
            .filter(|s| !doc.iter().any(|d| d.name == s.name))
            .collect();
        // Renames: names equal up to case and separators.
        let mut renamed: Vec<(&DocField, &Field)> = Vec::new();
        added.retain(|d| {
            match removed
                .iter()
                .position(|s| loose(&s.name) == loose(&d.name))
            {
                Some(i) => {
                    renamed.push((d, removed.remove(i)));
                    false
                }
                None => true,
            }
        });
        // The only added and the only removed name, at the same place, same type.
        if let ([d], [s]) = (added.as_slice(), removed.as_slice()) {
            let same_place = doc.iter().position(|x| x.name == d.name)
                == spec.iter().position(|x| x.name == s.name);
            let d_atoms = doc_atoms(d);
            if same_place && !d_atoms.is_empty() && equivalent(&d_atoms, &field_atoms(s)) {
                renamed.push((d, s));
                added.clear();
                removed.clear();
            }
        }
        for d in added {
            let item = lv.item(&d.name);
            self.push(k.added, &item, d.ty.clone(), None, Some(d.line));
        }
        if !lv.partial {
            for s in removed {
                let item = lv.item(&s.name);
                self.push(k.removed, &item, None, Some(spec_type(s)), None);
            }
        }
        for (d, s) in &renamed {
            self.push(
                k.renamed,
                &lv.item(&s.name),
                Some(d.name.clone()),
                Some(s.name.clone()),
                Some(d.line),
            );
        }
        for (d, s) in pairs.into_iter().chain(renamed) {
            self.field(d, s, lv, k);
        }
    }

    /// Compares one matched field: type, required flag, children.
    fn field(&mut self, d: &DocField, s: &Field, lv: &Level<'_>, k: FieldKinds) {
        let item = lv.item(&s.name);
        let d_atoms = doc_atoms(d);
        let s_atoms = field_atoms(s);
        let same_type = equivalent(&d_atoms, &s_atoms)
            || s.encoding.is_some_and(|e| fits_encoding(&d_atoms, e));
        if !same_type {
            self.push(
                k.type_changed,
                &item,
                d.ty.clone(),
                Some(spec_type(s)),
                Some(d.line),
            );
        }
        if let Some(kind) = k.required {
            // A star on each member of a spec `one_of` group means "one of these".
            let grouped = d.required == Required::Yes
                && s.required == Required::No
                && lv.one_of.iter().any(|g| g.contains(&s.name));
            // An event field the docs say is always sent but the spec reads as optional is
            // lenient on purpose: a form delivery drops empty values, and a missing required
            // field would fail the whole event. Only a spec stricter than the page is drift.
            let lenient = kind == Kind::FieldRequiredChanged
                && d.required == Required::Yes
                && s.required == Required::No;
            if d.required != s.required && !grouped && !lenient {
                self.push(
                    kind,
                    &item,
                    Some(req(d.required)),
                    Some(req(s.required)),
                    Some(d.line),
                );
            }
        }
        // Children of a field whose type changed would only repeat that change.
        if same_type {
            let sub = Level {
                spec: s.fields.as_deref().unwrap_or(&[]),
                one_of: &s.one_of,
                prefix: format!("{item}."),
                partial: named_type(&d_atoms).is_some(),
            };
            self.children(&d.fields, s.fields.is_some(), &s_atoms, &sub, k);
        }
    }

    /// Compares documented children with the spec's `fields`, where the page has any.
    /// `has_fields` says whether the spec gives `fields` at all.
    fn children(
        &mut self,
        doc: &[DocField],
        has_fields: bool,
        s_atoms: &[Atom],
        lv: &Level<'_>,
        k: FieldKinds,
    ) {
        if doc.is_empty() || (!has_fields && named_type(s_atoms).is_some()) {
            return;
        }
        match doc {
            [only]
                if is_placeholder(&only.name) && !lv.spec.iter().any(|s| s.name == only.name) =>
            {
                self.fields(&only.fields, lv, k);
            }
            _ => self.fields(doc, lv, k),
        }
    }

    fn result(&mut self, d: &DocResult, s: &ResultSpec) {
        let s_atoms = result_atoms(s);
        let d_atoms = d.ty.as_deref().map(parse_doc_type).unwrap_or_default();
        let same_type = equivalent(&d_atoms, &s_atoms)
            || s.encoding.is_some_and(|e| fits_encoding(&d_atoms, e));
        if !same_type {
            self.push(
                Kind::ResultTypeChanged,
                "result",
                d.ty.clone(),
                Some(render(&s_atoms)),
                Some(d.line),
            );
            return;
        }
        let lv = Level {
            spec: s.fields.as_deref().unwrap_or(&[]),
            one_of: &[],
            prefix: "result.".into(),
            partial: named_type(&d_atoms).is_some(),
        };
        self.children(
            &d.fields,
            s.fields.is_some(),
            &s_atoms,
            &lv,
            FieldKinds::RESULT,
        );
    }

    fn errors(&mut self, doc: &[DocError], spec: &[ErrorSpec]) {
        let codes: BTreeSet<&str> = doc
            .iter()
            .map(|e| e.code.as_str())
            .chain(spec.iter().map(|e| e.code.as_str()))
            .collect();
        for code in codes {
            let mut d: Vec<&DocError> = doc.iter().filter(|e| e.code == code).collect();
            let mut s: Vec<&ErrorSpec> = spec.iter().filter(|e| e.code == code).collect();
            // Findings name the empty code in words (an empty item names the method itself).
            let code = if code.is_empty() { EMPTY_CODE } else { code };
            // Exact rows first.
            d.retain(|de| {
                match s.iter().position(|se| {
                    de.status.is_none_or(|st| st == se.status)
                        && norm(de.message.as_deref()) == norm(se.message.as_deref())
                }) {
                    Some(i) => {
                        s.remove(i);
                        false
                    }
                    None => true,
                }
            });
            let n = d.len().min(s.len());
            for (de, se) in d.iter().zip(s.iter()) {
                if let Some(st) = de.status {
                    if st != se.status {
                        self.push(
                            Kind::ErrorStatusChanged,
                            code,
                            Some(st.to_string()),
                            Some(se.status.to_string()),
                            Some(de.line),
                        );
                    }
                }
                if de.message.is_some()
                    && norm(de.message.as_deref()) != norm(se.message.as_deref())
                {
                    self.push(
                        Kind::ErrorMessageChanged,
                        code,
                        de.message.clone(),
                        se.message.clone(),
                        Some(de.line),
                    );
                }
            }
            for de in &d[n..] {
                self.push(
                    Kind::ErrorAdded,
                    code,
                    Some(describe_doc_error(de)),
                    None,
                    Some(de.line),
                );
            }
            for se in &s[n..] {
                self.push(
                    Kind::ErrorRemoved,
                    code,
                    None,
                    Some(describe_spec_error(se)),
                    None,
                );
            }
        }
    }
}

fn doc_atoms(d: &DocField) -> Vec<Atom> {
    d.ty.as_deref().map(parse_doc_type).unwrap_or_default()
}

/// A name reduced for rename detection: lowercase, without `_` and `-`.
fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A placeholder key such as `<chatId>`, `chat<chatId>` or `{BOT_ID}`.
fn is_placeholder(name: &str) -> bool {
    (name.contains('<') && name.ends_with('>')) || (name.starts_with('{') && name.ends_with('}'))
}

fn spec_type(s: &Field) -> String {
    render(&field_atoms(s))
}

fn req(r: Required) -> String {
    match r {
        Required::No => "false",
        Required::Yes => "true",
        Required::Webhook => "webhook",
    }
    .to_string()
}

fn norm(m: Option<&str>) -> Option<String> {
    m.map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn describe_doc_error(e: &DocError) -> String {
    let status = match (e.status, e.section_status) {
        (Some(s), _) => s.to_string(),
        (None, Some(s)) => format!("{s}?"),
        (None, None) => "?".to_string(),
    };
    match &e.message {
        Some(m) => format!("{status} {m}"),
        None => status,
    }
}

fn describe_spec_error(e: &ErrorSpec) -> String {
    match &e.message {
        Some(m) => format!("{} {m}", e.status),
        None => e.status.to_string(),
    }
}

/// Reads `methods/*.yaml` under a spec directory (or the directory itself when it has no
/// `methods/`). Every file that cannot be read or parsed is an error line.
pub fn load_methods(spec_dir: &Path) -> Result<BTreeMap<String, MethodSpec>, Vec<String>> {
    let dir = if spec_dir.join("methods").is_dir() {
        spec_dir.join("methods")
    } else {
        spec_dir.to_path_buf()
    };
    let entries = std::fs::read_dir(&dir).map_err(|e| vec![format!("{}: {e}", dir.display())])?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    let mut diags = Vec::new();
    for f in files {
        if let Some(m) = load_file::<MethodSpec>(&f, &mut diags) {
            out.entry(m.method.clone()).or_insert(m);
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags.iter().map(ToString::to_string).collect())
    }
}

/// Reads `events/*.yaml` under a spec directory; no `events/` directory means no events.
/// Every file that cannot be read or parsed is an error line.
pub fn load_events(spec_dir: &Path) -> Result<BTreeMap<String, EventSpec>, Vec<String>> {
    let dir = spec_dir.join("events");
    if !dir.is_dir() {
        return Ok(BTreeMap::new());
    }
    let entries = std::fs::read_dir(&dir).map_err(|e| vec![format!("{}: {e}", dir.display())])?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    let mut diags = Vec::new();
    for f in files {
        if let Some(e) = load_file::<EventSpec>(&f, &mut diags) {
            out.entry(e.event.clone()).or_insert(e);
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags.iter().map(ToString::to_string).collect())
    }
}

/// Runs a whole check: reads both sides and compares them. Adds the system-errors
/// comparison when both files exist. Errors are IO or parse problems (exit 2).
pub fn run(docs_dir: &Path, spec_dir: &Path, coverage: &Coverage) -> Result<Report, Vec<String>> {
    if !docs_dir.is_dir() {
        return Err(vec![format!("{}: not a directory", docs_dir.display())]);
    }
    if !spec_dir.is_dir() {
        return Err(vec![format!("{}: not a directory", spec_dir.display())]);
    }
    let docs = parse_dir(docs_dir).map_err(|e| vec![format!("{}: {e}", docs_dir.display())])?;
    let spec = load_methods(spec_dir)?;
    let events = load_events(spec_dir)?;
    let mut report = compare(&docs, &spec, coverage);
    compare_events(&docs, &events, coverage, &mut report);
    for m in spec.values() {
        report
            .findings
            .extend(compare_elsewhere(docs_dir, &m.method, &m.errors));
    }
    let sys_page = "_includes/system-errors.md";
    let sys_spec = spec_dir.join("common/errors.yaml");
    let wanted = match coverage {
        Coverage::Prefixes(_) => false,
        Coverage::SpecGroups => true,
    };
    if wanted && sys_spec.is_file() {
        if let Ok(text) = std::fs::read_to_string(docs_dir.join(sys_page)) {
            let mut diags = Vec::new();
            let file = load_file::<SystemErrorsFile>(&sys_spec, &mut diags)
                .ok_or_else(|| diags.iter().map(ToString::to_string).collect::<Vec<_>>())?;
            let (errors, warnings) = parse_error_page(sys_page, &text);
            report
                .findings
                .extend(compare_system_errors(&errors, sys_page, &file));
            report
                .findings
                .extend(compare_elsewhere(docs_dir, SYSTEM_ERRORS, &file.errors));
            report.warnings.extend(warnings);
            report.findings.sort();
            report.warnings.sort();
        }
    }
    Ok(report)
}

/// Renders a report for a terminal, grouped by method.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for f in &r.findings {
        if current != Some(f.method.as_str()) {
            current = Some(f.method.as_str());
            match &f.page {
                Some(p) => out.push_str(&format!("{} ({p})\n", f.method)),
                None => out.push_str(&format!("{}\n", f.method)),
            }
        }
        out.push_str("  ");
        out.push_str(f.kind.as_str());
        if !f.item.is_empty() {
            out.push(' ');
            out.push_str(&f.item);
        }
        let side = |label: &str, v: &Option<String>| match v {
            Some(v) => format!("{label} {v:?}"),
            None => format!("{label} -"),
        };
        if f.docs.is_some() || f.spec.is_some() {
            out.push_str(&format!(
                ": {}, {}",
                side("docs", &f.docs),
                side("spec", &f.spec)
            ));
        }
        if let Some(l) = f.line {
            out.push_str(&format!(" (line {l})"));
        }
        out.push('\n');
    }
    if !r.accepted.is_empty() {
        out.push_str("accepted by the spec's deviations:\n");
        for f in &r.accepted {
            out.push_str(&format!("  {} {} {}\n", f.method, f.kind.as_str(), f.item));
        }
    }
    if !r.warnings.is_empty() {
        out.push_str("parser warnings on the compared pages:\n");
        for w in &r.warnings {
            out.push_str(&format!("  {w}\n"));
        }
    }
    let methods: BTreeSet<&str> = r.findings.iter().map(|f| f.method.as_str()).collect();
    out.push_str(&format!(
        "{} methods and events compared, {} with drift, {} findings, {} accepted, {} parser warnings\n",
        r.compared.len(),
        methods.len(),
        r.findings.len(),
        r.accepted.len(),
        r.warnings.len()
    ));
    out
}

/// Renders a report as stable JSON (sorted findings, sorted warnings).
pub fn render_json(r: &Report) -> String {
    serde_json::to_string_pretty(r)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}

const USAGE: &str =
    "usage: bitrix-tools drift --docs DIR [--spec DIR] [--only PREFIX...] [--format text|json]";

/// Command-line entry: `args` are the words after `drift`. Returns the exit status
/// (0 no drift, 1 drift, 2 usage or IO error).
pub fn cli(args: &[String]) -> u8 {
    let mut docs = None;
    let mut spec = PathBuf::from("spec");
    let mut only: Vec<String> = Vec::new();
    let mut json = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let value = args.get(i + 1);
        match (a, value) {
            ("--docs", Some(v)) => {
                docs = Some(PathBuf::from(v));
                i += 2;
            }
            ("--spec", Some(v)) => {
                spec = PathBuf::from(v);
                i += 2;
            }
            ("--format", Some(v)) if v == "text" || v == "json" => {
                json = v == "json";
                i += 2;
            }
            ("--only", Some(_)) => {
                i += 1;
                while i < args.len() && !args[i].starts_with("--") {
                    only.push(args[i].clone());
                    i += 1;
                }
            }
            ("-h" | "--help", _) => {
                println!("{USAGE}");
                return 0;
            }
            _ => {
                eprintln!("bitrix-tools drift: unexpected argument {a:?}\n{USAGE}");
                return 2;
            }
        }
    }
    let Some(docs) = docs else {
        eprintln!("bitrix-tools drift: --docs is required\n{USAGE}");
        return 2;
    };
    let coverage = if only.is_empty() {
        Coverage::SpecGroups
    } else {
        Coverage::Prefixes(only)
    };
    match run(&docs, &spec, &coverage) {
        Ok(r) => {
            if json {
                println!("{}", render_json(&r));
            } else {
                print!("{}", render_text(&r));
            }
            u8::from(!r.findings.is_empty())
        }
        Err(errs) => {
            for e in errs {
                eprintln!("bitrix-tools drift: {e}");
            }
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::deviation_covers;

    #[test]
    fn deviation_names_cover_paths() {
        assert!(deviation_covers("LANG", "LANG"));
        assert!(deviation_covers("LANG", "LANG.TITLE"));
        assert!(!deviation_covers("LANG", "LANGUAGE"));
        assert!(deviation_covers("OPENLINE", "result.OPENLINE"));
        assert!(deviation_covers("result.OPENLINE", "result.OPENLINE"));
        assert!(deviation_covers("MESSAGES.user", "MESSAGES.user"));
        assert!(!deviation_covers("user", "MESSAGES.user"));
        assert!(!deviation_covers("X", ""));
    }
}
