//! Event pages into [`EventFacts`].
//!
//! Two page shapes are read:
//! - **one event per page** (the outdated bot events, open lines, connectors, application
//!   events, `onOfflineEvent`): the title names the event (`ONIMBOTJOINCHAT`,
//!   `OnImConnectorDialogStart`, `onAppInstall`), the intro has the `Scope:` and
//!   `Who can subscribe:` lines, and a `## What the Handler Receives` (or
//!   `## Request Parameters`) section has a table of the top-level keys (`event`, `data`,
//!   `ts`, `auth`) whose `data` row links to a section per nested object
//!   (`### Parameter data {#data}`, `### Parameter BOT {#bot}`, `#### Element /{BOT_ID/}`).
//!   The JSON examples (one per tab) are whole deliveries; their `data` is kept.
//! - **several events per page** (`imbot.v2` and `im.v2` `events.md`): each `##` section
//!   titled with a wire name (`## ONIMBOTV2MESSAGEADD {#onimbotv2messageadd}`) has a table
//!   of the fields of `data` itself, subsections for nested objects, and JSON examples of
//!   `data` only. Fields typed by a link to an entity (`Message`) keep that type name.
//!
//! Nesting is resolved by [`super::fields::Region`], as for methods; an object whose only
//! field is a placeholder key (`{BOT_ID}`) is a map keyed by id
//! ([`DocField::map_key`]). Anything that cannot be read becomes a [`Warning`].

use super::fields::Region;
use super::inline::{link_texts, plain};
use super::outline::{Outline, Section};
use super::page::{intro_blocks, scope_and_access};
use super::yfm::{scan, Block, Problem};
use super::{DocDeprecation, DocField, Warning};
use serde::Serialize;

/// One JSON example of an event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocExample {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The `data` of the example (the whole block on pages whose examples show `data` only).
    pub data: serde_json::Value,
}

/// Everything read about one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFacts {
    /// Wire name, upper case (`ONIMBOTJOINCHAT`).
    pub event: String,
    /// The name as the page writes it (`OnImConnectorDialogStart`, `ONIMBOTV2JOINCHAT`).
    pub written: String,
    /// Page path relative to the documentation root (`/`-separated).
    pub path: String,
    /// The section's anchor, when the page documents several events.
    pub anchor: Option<String>,
    /// 1-based line of the title or section heading.
    pub line: usize,
    /// Scopes from the `> Scope:` line.
    pub scopes: Vec<String>,
    /// The "who can subscribe" line, as written (plain text).
    pub subscribers: Option<String>,
    /// The fields of `data`, nested fields resolved.
    pub data: Vec<DocField>,
    /// Whether any field of `data`, at any depth, carries a required marker.
    pub marks_required: bool,
    /// The JSON examples, in page order.
    pub examples: Vec<DocExample>,
    /// Set when the page carries a deprecation notice.
    pub deprecated: Option<DocDeprecation>,
}

impl EventFacts {
    /// The value the spec's `docs:` should hold: the page, with `#anchor` when the page
    /// documents several events.
    pub fn docs_path(&self) -> String {
        match &self.anchor {
            Some(a) => format!("{}#{a}", self.path),
            None => self.path.clone(),
        }
    }
}

impl DocField {
    /// The placeholder key when this field is a map keyed by ids: its only child is a
    /// placeholder (`{BOT_ID}`, `<chatId>`).
    pub fn map_key(&self) -> Option<&str> {
        match self.fields.as_slice() {
            [only] if is_placeholder(&only.name) => Some(&only.name),
            _ => None,
        }
    }
}

/// A placeholder key such as `<chatId>`, `chat<chatId>` or `{BOT_ID}`.
pub fn is_placeholder(name: &str) -> bool {
    (name.contains('<') && name.ends_with('>')) || (name.starts_with('{') && name.ends_with('}'))
}

/// The outcome of reading one page for events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedEvents {
    /// The events the page documents (none for other pages).
    pub events: Vec<EventFacts>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
}

/// Titles of the sections that hold the top-level keys on a one-event page.
const HANDLER_SECTIONS: &[&str] = &["what the handler receives", "request parameters"];

/// Whether `tok` is written like an event name: `on` followed by letters and digits.
pub fn is_event_name(tok: &str) -> bool {
    tok.len() > 2
        && tok.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"))
        && tok.chars().all(|c| c.is_ascii_alphanumeric())
        && tok.chars().any(|c| c.is_ascii_uppercase())
}

/// Reads one page. `path` is the page's path relative to the documentation root. A page
/// that documents no event gives nothing (no warnings).
pub fn parse_event_page(path: &str, text: &str) -> ParsedEvents {
    let (blocks, scan_problems) = scan(text);
    let outline = Outline::new(&blocks);
    let json = json_blocks(text);
    let mut problems = Vec::new();
    let intro = intro_blocks(&outline);
    let (scopes, subscribers, _) = scope_and_access(intro);
    let mut events = Vec::new();
    // Several events per page: `## ONX {#onx}` sections.
    let multi: Vec<Section<'_>> = outline
        .sections
        .iter()
        .filter(|s| s.level == 2 && is_upper_event(&outline.title(s)))
        .copied()
        .collect();
    if !multi.is_empty() {
        for sec in multi {
            let written = outline.title(&sec);
            let (data, found, probs) = Region::new(&outline, sec).read();
            problems.extend(probs);
            if !found {
                problems.push(Problem {
                    line: sec.heading.line,
                    message: format!("event {written} has no field table"),
                });
            }
            let examples = examples_in(&json, &sec, &outline, false, &mut problems);
            events.push(EventFacts {
                event: written.to_ascii_uppercase(),
                anchor: Some(
                    sec.heading
                        .anchor
                        .clone()
                        .unwrap_or_else(|| written.to_ascii_lowercase()),
                ),
                written,
                path: path.to_string(),
                line: sec.heading.line,
                scopes: scopes.clone(),
                subscribers: subscribers.clone(),
                marks_required: any_required(&data),
                data,
                examples,
                deprecated: deprecation(intro),
            });
        }
    } else if let Some(e) = single_event(path, &outline, &json, &mut problems) {
        events.push(EventFacts {
            scopes,
            subscribers,
            deprecated: deprecation(intro),
            ..e
        });
    }
    if events.is_empty() {
        return ParsedEvents::default();
    }
    let warnings = scan_problems
        .into_iter()
        .chain(problems)
        .map(|p| Warning {
            path: path.to_string(),
            line: p.line,
            message: p.message,
        })
        .collect();
    ParsedEvents { events, warnings }
}

/// A `##` title that is a wire name in capitals (`ONIMBOTV2JOINCHAT`).
fn is_upper_event(title: &str) -> bool {
    is_event_name(title) && !title.chars().any(|c| c.is_ascii_lowercase())
}

/// The event of a one-event page, without the intro facts.
fn single_event(
    path: &str,
    outline: &Outline<'_>,
    json: &[(usize, Result<serde_json::Value, String>)],
    problems: &mut Vec<Problem>,
) -> Option<EventFacts> {
    let h1 = outline.sections.iter().find(|s| s.level == 1)?;
    let title = plain(&h1.heading.text);
    let written = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|t| is_event_name(t))?
        .to_string();
    let roots = outline.find(|t, level| level == 2 && HANDLER_SECTIONS.contains(&t));
    if roots.is_empty() {
        return None;
    }
    let mut top: Vec<DocField> = Vec::new();
    let mut examples = Vec::new();
    for sec in &roots {
        let (fields, _, probs) = Region::new(outline, *sec).read();
        problems.extend(probs);
        top.extend(fields);
        examples.extend(examples_in(json, sec, outline, true, problems));
    }
    let event = written.to_ascii_uppercase();
    for name in examples_events(json, &roots) {
        if !name.eq_ignore_ascii_case(&event) {
            problems.push(Problem {
                line: h1.heading.line,
                message: format!("an example is for event {name}, the title names {written}"),
            });
        }
    }
    let data = match top.iter().position(|f| f.name == "data") {
        Some(i) => top.swap_remove(i).fields,
        None => {
            problems.push(Problem {
                line: roots[0].heading.line,
                message: "no `data` row in the handler's table; the event's fields are unknown"
                    .into(),
            });
            Vec::new()
        }
    };
    Some(EventFacts {
        event,
        written,
        path: path.to_string(),
        anchor: None,
        line: h1.heading.line,
        scopes: Vec::new(),
        subscribers: None,
        marks_required: any_required(&data),
        data,
        examples,
        deprecated: None,
    })
}

fn any_required(fields: &[DocField]) -> bool {
    fields
        .iter()
        .any(|f| f.required != bitrix_codegen::spec::Required::No || any_required(&f.fields))
}

/// Whether block line `line` lies inside section `sec`.
fn in_section(outline: &Outline<'_>, sec: &Section<'_>, line: usize) -> bool {
    let start = sec.heading.line;
    let end = outline.blocks.get(sec.end).map_or(usize::MAX, |b| b.line());
    start < line && line < end
}

/// The examples inside `sec`. With `envelope`, each example is a whole delivery and its
/// `data` is kept; otherwise the example is `data` itself.
fn examples_in(
    json: &[(usize, Result<serde_json::Value, String>)],
    sec: &Section<'_>,
    outline: &Outline<'_>,
    envelope: bool,
    problems: &mut Vec<Problem>,
) -> Vec<DocExample> {
    let mut out = Vec::new();
    for (line, v) in json.iter().filter(|(l, _)| in_section(outline, sec, *l)) {
        match v {
            Err(e) => problems.push(Problem {
                line: *line,
                message: format!("JSON example does not parse ({e}); not read"),
            }),
            Ok(v) if envelope => match v.get("data") {
                Some(d) => out.push(DocExample {
                    line: *line,
                    data: d.clone(),
                }),
                None => problems.push(Problem {
                    line: *line,
                    message: "JSON example has no `data` key; not read".into(),
                }),
            },
            Ok(v) => out.push(DocExample {
                line: *line,
                data: v.clone(),
            }),
        }
    }
    out
}

/// The `event` values of the examples under `roots`.
fn examples_events(
    json: &[(usize, Result<serde_json::Value, String>)],
    roots: &[Section<'_>],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (line, v) in json {
        let inside = roots.iter().any(|r| r.heading.line < *line);
        if let (true, Ok(v)) = (inside, v) {
            if let Some(name) = v.get("event").and_then(|e| e.as_str()) {
                if !out.iter().any(|x| x == name) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// Every fenced `json` block of the page (indented ones in tabs too, and unlabelled blocks
/// that start with `{`): the line of the opening fence and the parsed value or the parse
/// error.
pub fn json_blocks(text: &str) -> Vec<(usize, Result<serde_json::Value, String>)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        let t = l.trim_start();
        let Some(lang) = t.strip_prefix("```") else {
            continue;
        };
        let indent = l.len() - t.len();
        let is_json = lang.trim().eq_ignore_ascii_case("json");
        let mut body = String::new();
        let mut closed = false;
        for (_, l) in lines.by_ref() {
            if l.trim() == "```" {
                closed = true;
                break;
            }
            let cut = l.len() - l.trim_start().len();
            body.push_str(&l[cut.min(indent)..]);
            body.push('\n');
        }
        // An unlabelled block that holds an object is read too (`onOfflineEvent`).
        let is_json = is_json || (lang.trim().is_empty() && body.trim_start().starts_with('{'));
        if is_json {
            let v = if closed {
                serde_json::from_str(&body).map_err(|e| e.to_string())
            } else {
                Err("the code block is not closed".to_string())
            };
            out.push((i + 1, v));
        }
    }
    out
}

/// A deprecation notice in the intro: a note titled "deprecated", or wording saying the
/// event's development was halted or that it is deprecated. The replacements are the
/// linked event (or method) names.
fn deprecation(intro: &[Block]) -> Option<DocDeprecation> {
    const WORDING: &[&str] = &[
        "development of this event has been halted",
        "development of this event has been stopped",
        "this event is deprecated",
        "the event is deprecated",
    ];
    let mut i = 0;
    while i < intro.len() {
        let (line, text) = match &intro[i] {
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
                i = j + 1;
                let lower = plain(&text).to_ascii_lowercase();
                if !(title.to_ascii_lowercase().contains("deprecat")
                    || WORDING.iter().any(|w| lower.contains(w)))
                {
                    continue;
                }
                (*line, text)
            }
            Block::Text { text, line } => {
                i += 1;
                let lower = plain(text).to_ascii_lowercase();
                if !WORDING.iter().any(|w| lower.contains(w)) {
                    continue;
                }
                (*line, text.clone())
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let mut replacements: Vec<String> = Vec::new();
        for t in link_texts(&text) {
            let named = is_event_name(&t) || super::inline::is_method_name(&t);
            if named && !replacements.contains(&t) {
                replacements.push(t);
            }
        }
        return Some(DocDeprecation {
            replacements,
            line,
            inoperative: false,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names() {
        assert!(is_event_name("ONIMBOTJOINCHAT"));
        assert!(is_event_name("OnImConnectorDialogStart"));
        assert!(is_event_name("onAppInstall"));
        assert!(!is_event_name("one"));
        assert!(!is_event_name("On"));
        assert!(!is_event_name("online"));
    }

    #[test]
    fn json_in_tabs_and_broken_json() {
        let text = "x\n- tab\n\n    ```json\n    {\"a\": 1}\n    ```\n```json\n{oops\n```\n```\nnot json\n```\n";
        let blocks = json_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].0, 4);
        assert_eq!(blocks[0].1, Ok(serde_json::json!({"a": 1})));
        assert!(blocks[1].1.is_err());
    }
}
