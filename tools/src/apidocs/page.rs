//! One page into [`PageFacts`]: what the page documents (method name, scopes, access,
//! deprecation) and the assembly of parameters, result and errors.
//!
//! A page is a method page when a method name can be read from its title (a dotted name
//! anywhere in the H1, escaped braces allowed) or, failing that, from an intro sentence
//! that names "the `x` method", and when it has at least one of the method sections:
//! parameters ("Method Parameters", "Parameters", "Method Parameters for ..."), returned
//! data ("Returned Data", at any heading level) or errors ("Possible Error Codes",
//! "Possible Errors"). Other pages (overviews, events, articles) give no facts and no
//! warnings. A page with method sections but no readable name gives one warning.

use super::errors::{error_shape, read_errors, statuses_in_line};
use super::fields::{shape, Region};
use super::inline::{code_spans, is_method_name, link_texts, method_tokens, plain};
use super::outline::{Outline, Section};
use super::yfm::{scan, Block, Problem};
use super::{DocDeprecation, DocError, DocField, DocResult, PageFacts, Warning};

/// The outcome of reading one page.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPage {
    /// The facts, when the page documents a method.
    pub facts: Option<PageFacts>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
}

/// Includes that hold only boilerplate for the sections read here.
const BOILERPLATE_INCLUDES: &[&str] = &[
    "required.md",
    "examples.md",
    "error-info.md",
    "error-info-v3.md",
    "system-errors.md",
];

/// Envelope keys that may sit next to `result` in a returned-data table.
const ENVELOPE: &[&str] = &["time", "total", "next"];

/// Whether the page's title names a family of methods (`user.option.*`) rather than one.
fn names_a_family(outline: &Outline<'_>) -> bool {
    outline
        .sections
        .iter()
        .find(|s| s.level == 1)
        .is_some_and(|h1| h1.heading.text.contains(".*"))
}

/// Reads one page. `path` is the page's path relative to the documentation root.
pub fn parse_page(path: &str, text: &str) -> ParsedPage {
    let (blocks, scan_problems) = scan(text);
    let outline = Outline::new(&blocks);
    let params_secs = outline.find(|t, level| level == 2 && is_params_title(t));
    let result_secs = outline.find(|t, level| (2..=3).contains(&level) && t == "returned data");
    let error_secs = outline.find(|t, level| (2..=3).contains(&level) && is_errors_title(t));
    // A page without those sections is still a method page when its intro has a `Scope:`
    // line and a method name (a hidden page that documents a method only by example).
    let sections = !params_secs.is_empty() || !result_secs.is_empty() || !error_secs.is_empty();
    let scope_only = !sections
        && scope_and_access(intro_blocks(&outline)).2.is_some()
        && !names_a_family(&outline);
    let method_sections = sections || scope_only;
    let warn = |problems: Vec<Problem>| -> Vec<Warning> {
        problems
            .into_iter()
            .map(|p| Warning {
                path: path.to_string(),
                line: p.line,
                message: p.message,
            })
            .collect()
    };
    if !method_sections {
        return ParsedPage {
            facts: None,
            warnings: Vec::new(),
        };
    }
    let mut problems = scan_problems;
    let intro = intro_blocks(&outline);
    let Some((method, line)) = method_name(&outline, intro, &mut problems) else {
        if scope_only {
            // Not a method page after all (an event's page, an overview): nothing to say.
            return ParsedPage {
                facts: None,
                warnings: Vec::new(),
            };
        }
        let line = params_secs
            .first()
            .or(result_secs.first())
            .or(error_secs.first())
            .map_or(1, |s| s.heading.line);
        return ParsedPage {
            facts: None,
            warnings: warn(vec![Problem {
                line,
                message: "page has method sections but no method name could be read; page skipped"
                    .into(),
            }]),
        };
    };
    let (scopes, access, scope_line) = scope_and_access(intro);
    let deprecated = deprecation(intro, &method);
    let (params, params_line) = read_params(&outline, &params_secs, &mut problems);
    let result = read_result(&outline, &result_secs, &mut problems);
    let errors = read_all_errors(&outline, &error_secs, &mut problems);
    check_includes(
        &outline,
        &params_secs,
        &result_secs,
        &error_secs,
        &mut problems,
    );
    if let (true, Some(l)) = (scopes.is_empty(), scope_line) {
        problems.push(Problem {
            line: l,
            message: "cannot read any scope from the `Scope:` line".into(),
        });
    }
    let facts = PageFacts {
        method,
        path: path.to_string(),
        line,
        scopes,
        access,
        params,
        params_line,
        result,
        errors,
        deprecated,
    };
    let mut warnings = warn(problems);
    warnings.sort();
    warnings.dedup();
    ParsedPage {
        facts: Some(facts),
        warnings,
    }
}

/// Reads every error table of a page that is only a list of errors (such as the shared
/// system-errors include). Returns the rows and what could not be read.
pub fn parse_error_page(path: &str, text: &str) -> (Vec<DocError>, Vec<Warning>) {
    let (blocks, mut problems) = scan(text);
    let mut errors = Vec::new();
    let mut default = None;
    for b in &blocks {
        match b {
            Block::Text { text, .. } => {
                if let Some(s) = statuses_in_line(text) {
                    default = single_status(&s);
                }
            }
            Block::Table(t) => {
                if let Some(sh) = error_shape(t) {
                    errors.extend(read_errors(t, sh, default, &mut problems));
                }
            }
            _ => {}
        }
    }
    let warnings = problems
        .into_iter()
        .map(|p| Warning {
            path: path.to_string(),
            line: p.line,
            message: p.message,
        })
        .collect();
    (errors, warnings)
}

fn is_params_title(t: &str) -> bool {
    t == "parameters" || t.starts_with("method parameters")
}

fn is_errors_title(t: &str) -> bool {
    t.starts_with("possible error") || t == "errors" || t == "error codes"
}

/// The blocks between the title and the first second-level heading.
pub(crate) fn intro_blocks<'a>(outline: &Outline<'a>) -> &'a [Block] {
    let blocks = outline.blocks;
    let start = outline
        .sections
        .iter()
        .find(|s| s.level == 1)
        .map_or(0, |s| s.head + 1);
    let end = outline
        .sections
        .iter()
        .find(|s| s.level >= 2 && s.head >= start)
        .map_or(blocks.len(), |s| s.head);
    &blocks[start.min(end)..end]
}

/// The method name and the line it was read from: the method the title names, else the one
/// the intro names ("The method `x.y` ..."). A title whose only method-like token is a group
/// the intro's method extends ("Pin a Chat at the Top of the im.recent List" on the page of
/// `im.recent.pin`) names a list, not the method, and the intro's method is taken.
fn method_name(
    outline: &Outline<'_>,
    intro: &[Block],
    problems: &mut Vec<Problem>,
) -> Option<(String, usize)> {
    let intro_spans: Vec<String> = intro
        .iter()
        .filter_map(|b| match b {
            Block::Text { text, .. } => Some(code_spans(text)),
            _ => None,
        })
        .flatten()
        .map(|s| plain(&s))
        .collect();
    let named = intro_named_method(intro);
    if let Some(h1) = outline.sections.iter().find(|s| s.level == 1) {
        let title = plain(&h1.heading.text);
        let cands = method_tokens(&title);
        match cands.as_slice() {
            [] => {}
            [one] => {
                let extended = named
                    .as_ref()
                    .filter(|(n, _)| n.starts_with(&format!("{one}.")));
                return Some(match extended {
                    Some((n, _)) => (n.clone(), h1.heading.line),
                    None => (one.clone(), h1.heading.line),
                });
            }
            many => {
                let chosen = many
                    .iter()
                    .find(|c| intro_spans.contains(c))
                    .cloned()
                    .unwrap_or_else(|| {
                        problems.push(Problem {
                            line: h1.heading.line,
                            message: format!(
                                "title names several methods ({}); the first is used",
                                many.join(", ")
                            ),
                        });
                        many[0].clone()
                    });
                return Some((chosen, h1.heading.line));
            }
        }
    }
    named
}

/// The method an intro sentence names ("The `batch` method ..." / "The method `x.y` ..."),
/// with its line.
fn intro_named_method(intro: &[Block]) -> Option<(String, usize)> {
    for b in intro {
        let Block::Text { text, line } = b else {
            continue;
        };
        let lower = plain(text).to_ascii_lowercase();
        if !lower.contains("method") {
            continue;
        }
        for span in code_spans(text) {
            let s = plain(&span);
            let single = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let named = lower.contains(&format!("the {} method", s.to_ascii_lowercase()))
                || lower.contains(&format!("method {}", s.to_ascii_lowercase()));
            if (is_method_name(&s) || single) && named {
                return Some((s, *line));
            }
        }
    }
    None
}

/// Scopes from the `> Scope:` line, the `> Who can execute the method:` text, and the
/// line of the scope line when there is one.
pub(crate) fn scope_and_access(intro: &[Block]) -> (Vec<String>, Option<String>, Option<usize>) {
    let mut scopes = Vec::new();
    let mut access = None;
    let mut scope_line = None;
    for b in intro {
        let Block::Text { text, line } = b else {
            continue;
        };
        let t = text.trim_start_matches('>').trim();
        let p = plain(t);
        let lower = p.to_ascii_lowercase();
        if lower.starts_with("scope") {
            scope_line.get_or_insert(*line);
            let spans = code_spans(t);
            if spans.is_empty() {
                if let Some((_, rest)) = p.split_once(':') {
                    scopes.extend(
                        rest.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty()),
                    );
                }
            } else {
                scopes.extend(spans.into_iter().map(|s| plain(&s)));
            }
        } else if lower.starts_with("who can") {
            if let Some((_, rest)) = p.split_once(':') {
                let r = rest.trim();
                if !r.is_empty() {
                    access = Some(r.to_string());
                }
            }
        }
    }
    scopes.dedup();
    (scopes, access, scope_line)
}

/// Wording of a notice that says the method does not work at all.
const INOPERATIVE: &[&str] = &[
    "the method is not operational",
    "this method is not operational",
];

/// A deprecation notice in the intro: a note titled "deprecated", or wording that says
/// the method's development was halted, that it is deprecated, or that it does not work
/// (`inoperative`).
fn deprecation(intro: &[Block], method: &str) -> Option<DocDeprecation> {
    const WORDING: &[&str] = &[
        "the method is not operational",
        "this method is not operational",
        "development of this method has been halted",
        "development of this method has been stopped",
        "this method is deprecated",
        "the method is deprecated",
        "this method is outdated",
        "method is no longer supported",
    ];
    let mut i = 0;
    while i < intro.len() {
        match &intro[i] {
            Block::NoteOpen { title, line, .. } => {
                let mut body = Vec::new();
                let mut j = i + 1;
                while j < intro.len() && !matches!(intro[j], Block::NoteClose { .. }) {
                    if let Block::Text { text, .. } = &intro[j] {
                        body.push(text.as_str());
                    }
                    j += 1;
                }
                let text = body.join(" ");
                let lower = plain(&text).to_ascii_lowercase();
                if title.to_ascii_lowercase().contains("deprecat")
                    || WORDING.iter().any(|w| lower.contains(w))
                {
                    return Some(DocDeprecation {
                        replacements: replacements(&text, method),
                        line: *line,
                        inoperative: INOPERATIVE.iter().any(|w| lower.contains(w)),
                    });
                }
                i = j + 1;
            }
            Block::Text { text, line } => {
                let lower = plain(text).to_ascii_lowercase();
                if WORDING.iter().any(|w| lower.contains(w)) {
                    return Some(DocDeprecation {
                        replacements: replacements(text, method),
                        line: *line,
                        inoperative: INOPERATIVE.iter().any(|w| lower.contains(w)),
                    });
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Method names linked from a deprecation notice, other than the method itself.
fn replacements(text: &str, method: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in link_texts(text) {
        if is_method_name(&t) && t != method && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Parameters from every parameters section, merged in page order.
fn read_params(
    outline: &Outline<'_>,
    secs: &[Section<'_>],
    problems: &mut Vec<Problem>,
) -> (Vec<DocField>, Option<usize>) {
    let mut params: Vec<DocField> = Vec::new();
    for sec in secs {
        let (fields, found, probs) = Region::new(outline, *sec).read();
        problems.extend(probs);
        if !found && !says_no_params(outline, sec) {
            problems.push(Problem {
                line: sec.heading.line,
                message: "parameters section has no parameter table".into(),
            });
        }
        merge_top(&mut params, fields, problems);
    }
    (params, secs.first().map(|s| s.heading.line))
}

fn says_no_params(outline: &Outline<'_>, sec: &Section<'_>) -> bool {
    outline.own_blocks(sec).iter().any(|b| match b {
        Block::Text { text, .. } => {
            let l = plain(text).to_ascii_lowercase();
            l.contains("no parameters") || l.contains("without parameters")
        }
        _ => false,
    })
}

/// Appends `more` to `into`; a name documented twice keeps the first (merging the
/// nested fields of both), with a warning when the two differ.
fn merge_top(into: &mut Vec<DocField>, more: Vec<DocField>, problems: &mut Vec<Problem>) {
    for f in more {
        match into.iter_mut().find(|x| x.name == f.name) {
            Some(first) if first.ty == f.ty && first.required == f.required => {
                merge_top(&mut first.fields, f.fields, problems);
            }
            Some(first) => problems.push(Problem {
                line: f.line,
                message: format!(
                    "{} is documented twice, differently (first at line {}); the first is kept",
                    f.name, first.line
                ),
            }),
            None => into.push(f),
        }
    }
}

/// The result from the returned-data section(s).
fn read_result(
    outline: &Outline<'_>,
    secs: &[Section<'_>],
    problems: &mut Vec<Problem>,
) -> Option<DocResult> {
    let mut fields: Vec<DocField> = Vec::new();
    let mut line = None;
    for sec in secs {
        let (f, found, probs) = Region::new(outline, *sec).read();
        problems.extend(probs);
        if found {
            line.get_or_insert_with(|| {
                outline
                    .own_tables(sec)
                    .first()
                    .map_or(sec.heading.line, |t| t.line)
            });
        }
        merge_top(&mut fields, f, problems);
    }
    let line = line?;
    if let Some(pos) = fields.iter().position(|f| f.name == "result") {
        let r = fields.remove(pos);
        for other in &fields {
            if !ENVELOPE.contains(&other.name.as_str()) {
                problems.push(Problem {
                    line: other.line,
                    message: format!(
                        "returned-data row {} is neither `result` nor an envelope key; ignored",
                        other.name
                    ),
                });
            }
        }
        return Some(DocResult {
            ty: r.ty,
            fields: r.fields,
            line: r.line,
        });
    }
    let rest: Vec<DocField> = fields
        .into_iter()
        .filter(|f| !ENVELOPE.contains(&f.name.as_str()))
        .collect();
    if rest.is_empty() {
        return None;
    }
    Some(DocResult {
        ty: Some("object".into()),
        fields: rest,
        line,
    })
}

/// Every error row of the errors sections, in page order.
fn read_all_errors(
    outline: &Outline<'_>,
    secs: &[Section<'_>],
    problems: &mut Vec<Problem>,
) -> Vec<DocError> {
    let mut out = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for sec in secs {
        for (idx, b) in outline
            .blocks
            .iter()
            .enumerate()
            .take(sec.end)
            .skip(sec.head + 1)
        {
            let Block::Table(t) = b else { continue };
            if seen.contains(&t.line) {
                continue;
            }
            seen.push(t.line);
            let Some(sh) = error_shape(t) else {
                if shape(t).is_none() {
                    problems.push(Problem {
                        line: t.line,
                        message: "table in an errors section has no `Code` column; not read".into(),
                    });
                }
                continue;
            };
            let statuses = statuses_before(outline, sec, idx);
            let default = single_status(&statuses);
            let rows = read_errors(t, sh, default, problems);
            let unknown: Vec<&str> = rows
                .iter()
                .filter(|e| e.status.is_none() && e.section_status.is_none())
                .map(|e| e.code.as_str())
                .collect();
            if sh.status.is_none() && !unknown.is_empty() {
                let named = if statuses.is_empty() {
                    "names no status".to_string()
                } else {
                    format!(
                        "names several ({})",
                        statuses
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                problems.push(Problem {
                    line: t.line,
                    message: format!(
                        "error table has no status column and the section {named}; status unknown for {}",
                        unknown.join(", ")
                    ),
                });
            }
            out.extend(rows);
        }
    }
    out
}

/// Error statuses (4xx/5xx) named by `HTTP Status:` lines before block `idx`, within the
/// errors section and, when that section is nested, within its parent section.
fn statuses_before(outline: &Outline<'_>, sec: &Section<'_>, idx: usize) -> Vec<u16> {
    let parent = outline
        .sections
        .iter()
        .filter(|p| p.head < sec.head && sec.head < p.end && p.level >= 2)
        .max_by_key(|p| p.level);
    let start = parent.map_or(sec.head, |p| p.head);
    let mut out = Vec::new();
    for b in &outline.blocks[start..idx] {
        if let Block::Text { text, .. } = b {
            if let Some(s) = statuses_in_line(text) {
                for x in s {
                    if x >= 400 && !out.contains(&x) {
                        out.push(x);
                    }
                }
            }
        }
    }
    out
}

fn single_status(s: &[u16]) -> Option<u16> {
    match s {
        [one] => Some(*one),
        _ => None,
    }
}

/// Warns about includes inside the read sections that are not known boilerplate.
fn check_includes(
    outline: &Outline<'_>,
    params: &[Section<'_>],
    result: &[Section<'_>],
    errors: &[Section<'_>],
    problems: &mut Vec<Problem>,
) {
    for sec in params.iter().chain(result).chain(errors) {
        // Example subsections hold code, not facts.
        let examples: Vec<Section<'_>> = outline
            .descendants(sec)
            .into_iter()
            .filter(|s| outline.title(s).to_ascii_lowercase().contains("example"))
            .collect();
        for (i, b) in outline
            .blocks
            .iter()
            .enumerate()
            .take(sec.end)
            .skip(sec.head + 1)
        {
            if examples.iter().any(|s| s.head < i && i < s.end) {
                continue;
            }
            if let Block::Include { target, line } = b {
                let file = target.rsplit('/').next().unwrap_or(target);
                if !BOILERPLATE_INCLUDES.contains(&file) {
                    problems.push(Problem {
                        line: *line,
                        message: format!("included file {target} is not read"),
                    });
                }
            }
        }
    }
}
