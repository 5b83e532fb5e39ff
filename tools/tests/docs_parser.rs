//! Tests of the documentation page parser: one fixture page per layout variant, and a
//! run over the whole documentation directory named by `BITRIX_DOCS_DIR`.

use bitrix_codegen::spec::Required;
use bitrix_tools::apidocs::page::parse_error_page;
use bitrix_tools::apidocs::{parse_dir, parse_page, DocField, PageFacts, Warning};
use std::path::PathBuf;

/// Parses a fixture page that must document a method.
fn facts(name: &str, text: &str) -> (PageFacts, Vec<Warning>) {
    let p = parse_page(name, text);
    let f = p
        .facts
        .unwrap_or_else(|| panic!("{name}: no facts; warnings {:?}", p.warnings));
    (f, p.warnings)
}

/// `(name, type, required)` of each field.
fn flat(fields: &[DocField]) -> Vec<(&str, Option<&str>, Required)> {
    fields
        .iter()
        .map(|f| (f.name.as_str(), f.ty.as_deref(), f.required))
        .collect()
}

fn names(fields: &[DocField]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

fn errors(f: &PageFacts) -> Vec<(Option<u16>, &str, Option<&str>)> {
    f.errors
        .iter()
        .map(|e| (e.status, e.code.as_str(), e.message.as_deref()))
        .collect()
}

#[test]
fn headings_as_h2() {
    let (f, w) = facts(
        "headings_h2.md",
        include_str!("fixtures/pages/headings_h2.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "widget.item.add");
    assert_eq!(f.line, 1);
    assert_eq!(f.scopes, ["widget", "crm"]);
    assert_eq!(f.access.as_deref(), Some("any user with the widget right"));
    assert_eq!(
        flat(&f.params),
        [
            ("TITLE", Some("string"), Required::Yes),
            ("SIZE", Some("integer"), Required::No)
        ]
    );
    assert_eq!(f.params[0].line, 16);
    assert_eq!(f.params_line, Some(9));
    let r = f.result.as_ref().expect("result");
    assert_eq!(r.ty.as_deref(), Some("integer"));
    assert!(r.fields.is_empty());
    assert_eq!(
        errors(&f),
        [(Some(400), "TITLE_EMPTY", Some("Title is empty"))]
    );
    assert_eq!(f.errors[0].line, 37);
    assert!(f.deprecated.is_none());
}

#[test]
fn headings_as_h3_with_lowercase_parameters() {
    let (f, w) = facts(
        "headings_h3.md",
        include_str!("fixtures/pages/headings_h3.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "widget.item.count");
    assert_eq!(flat(&f.params), [("FILTER", Some("object"), Required::No)]);
    assert_eq!(
        f.result.as_ref().and_then(|r| r.ty.as_deref()),
        Some("integer")
    );
    // Without a status column the status is unknown; the only status the section names
    // is kept apart as a likely one.
    assert_eq!(
        errors(&f),
        [(None, "FILTER_BAD", Some("Filter is malformed"))]
    );
    assert_eq!(f.errors[0].section_status, Some(400));
}

#[test]
fn escaped_pipes_and_code_spans_make_unions() {
    let (f, w) = facts(
        "escaped_pipes.md",
        include_str!("fixtures/pages/escaped_pipes.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        flat(&f.params),
        [
            ("TARGET", Some("string|integer"), Required::Yes),
            ("NOTE", Some("string|null"), Required::No),
            ("MODE", Some("string|boolean"), Required::No),
            ("LAYERS", Some("integer[]"), Required::No),
            ("SHAPE", Some("object|string"), Required::No),
        ]
    );
}

#[test]
fn required_markers_and_webhook_wording() {
    let (f, w) = facts(
        "required_markers.md",
        include_str!("fixtures/pages/required_markers.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        flat(&f.params),
        [
            ("ID", Some("integer"), Required::Yes),
            ("NAME", Some("string"), Required::Yes),
            ("LANG", Some("string"), Required::Yes),
            ("COMMENT", Some("string"), Required::No),
            ("APP_KEY", Some("string"), Required::Webhook),
            ("token", Some("string"), Required::Webhook),
            ("mode", Some("string"), Required::No),
        ]
    );
}

#[test]
fn rows_without_a_type() {
    let (f, w) = facts("no_types.md", include_str!("fixtures/pages/no_types.md"));
    assert_eq!(
        flat(&f.params),
        [("ID", None, Required::No), ("PLACE", None, Required::No)]
    );
    let r = f.result.as_ref().expect("result");
    assert_eq!(r.ty, None);
    let lines: Vec<usize> = w.iter().map(|w| w.line).collect();
    assert_eq!(lines, [7, 18], "{w:?}");
    assert!(w[0].message.contains("no type column"));
    assert!(w[1].message.contains("gives no type"));
}

#[test]
fn fenced_code_inside_a_cell() {
    let (f, w) = facts(
        "code_in_cells.md",
        include_str!("fixtures/pages/code_in_cells.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        flat(&f.params),
        [
            ("STYLE", Some("object"), Required::Yes),
            ("THEME", Some("string"), Required::No)
        ]
    );
    assert_eq!(f.params[1].line, 18);
}

#[test]
fn nested_tables_inside_a_cell() {
    let (f, w) = facts(
        "nested_table.md",
        include_str!("fixtures/pages/nested_table.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(names(&f.params), ["TAG", "ID"]);
    // The field table nested in the cell gives fields; the value table does not.
    assert_eq!(
        flat(&f.params[0].fields),
        [
            ("label", Some("string"), Required::Yes),
            ("tone", Some("string"), Required::No)
        ]
    );
}

#[test]
fn value_list_in_a_params_section_is_not_params() {
    let (f, w) = facts(
        "value_list.md",
        include_str!("fixtures/pages/value_list.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(flat(&f.params), [("COLOR", Some("string"), Required::No)]);
    assert!(f.params[0].fields.is_empty());
}

#[test]
fn method_name_in_the_middle_of_the_title() {
    let (f, w) = facts(
        "title_middle.md",
        include_str!("fixtures/pages/title_middle.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "widget.item.notify");
    assert!(f.params.is_empty());
    assert_eq!(f.params_line, Some(5));
    assert!(f.errors.is_empty());
    assert!(f.result.is_none());
}

#[test]
fn title_naming_a_group_yields_to_the_intro_method() {
    // The title's only method-like token is the list the method works on; the intro names
    // the method itself, which extends that token.
    let (f, w) = facts(
        "title_group.md",
        include_str!("fixtures/pages/title_group.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "widget.feed.star");
    assert_eq!(f.line, 1);
    assert_eq!(
        flat(&f.params),
        [("ENTRY_ID", Some("integer"), Required::Yes)]
    );
}

#[test]
fn method_name_with_escaped_braces() {
    let (f, w) = facts(
        "title_braces.md",
        include_str!("fixtures/pages/title_braces.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "widget.{kind}.get");
    assert_eq!(names(&f.params), ["kind"]);
}

#[test]
fn method_name_from_the_intro() {
    let (f, w) = facts(
        "intro_name.md",
        include_str!("fixtures/pages/intro_name.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(f.method, "ping");
    assert_eq!(f.line, 5);
    assert_eq!(f.scopes, ["basic"]);
    assert_eq!(
        f.result.as_ref().and_then(|r| r.ty.as_deref()),
        Some("datetime")
    );
}

#[test]
fn error_table_of_two_columns() {
    let (f, w) = facts(
        "errors_two_columns.md",
        include_str!("fixtures/pages/errors_two_columns.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert!(f.params_line.is_none());
    assert_eq!(
        errors(&f),
        [
            (None, "NOT_FOUND", Some("Widget not found")),
            (None, "LOCKED", Some("Widget is locked"))
        ]
    );
    assert!(f.errors.iter().all(|e| e.section_status == Some(400)));
}

#[test]
fn error_table_of_three_columns() {
    let (f, w) = facts(
        "errors_three_columns.md",
        include_str!("fixtures/pages/errors_three_columns.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        errors(&f),
        [
            (Some(400), "NOT_FOUND", Some("Widget not found")),
            (Some(403), "DENIED", Some("No right to show"))
        ]
    );
}

#[test]
fn error_table_in_another_column_order_keeps_repeated_codes() {
    let (f, w) = facts(
        "errors_reordered.md",
        include_str!("fixtures/pages/errors_reordered.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        errors(&f),
        [
            (Some(403), "DENIED", Some("Access denied! Owner only")),
            (Some(403), "DENIED", Some("Access denied! No sessions")),
            (Some(400), "BUSY", Some("Widget is busy")),
        ]
    );
}

#[test]
fn error_status_unknown_is_a_warning() {
    let (f, w) = facts(
        "errors_no_status.md",
        include_str!("fixtures/pages/errors_no_status.md"),
    );
    assert_eq!(
        errors(&f),
        [(None, "NOT_LOCKED", Some("Widget is not locked"))]
    );
    assert_eq!(f.errors[0].section_status, None);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, 11);
    assert!(w[0].message.contains("400, 403"), "{}", w[0].message);
}

#[test]
fn system_errors_with_code_and_message_in_one_cell() {
    let (e, w) = parse_error_page(
        "system_errors.md",
        include_str!("fixtures/pages/system_errors.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    let got: Vec<_> = e
        .iter()
        .map(|e| (e.status, e.code.as_str(), e.message.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(500), "BOARD_DOWN", Some("Board is down")),
            (Some(429), "TOO_FAST", Some("Slow down"))
        ]
    );
    // Not a method page: no facts, no noise.
    let p = parse_page(
        "system_errors.md",
        include_str!("fixtures/pages/system_errors.md"),
    );
    assert!(p.facts.is_none() && p.warnings.is_empty());
}

#[test]
fn nested_parameter_sections_by_anchor_name_and_dots() {
    let (f, w) = facts(
        "nested_sections.md",
        include_str!("fixtures/pages/nested_sections.md"),
    );
    assert_eq!(f.method, "board.v2.Board.create");
    assert_eq!(names(&f.params), ["fields"]);
    let fields = &f.params[0].fields;
    assert_eq!(
        flat(fields),
        [
            ("code", Some("string"), Required::Yes),
            ("layout", Some("object"), Required::No),
            ("owners", Some("integer[]"), Required::No)
        ]
    );
    // Linked by a heading that names the field.
    assert_eq!(
        flat(&fields[1].fields),
        [("columns", Some("integer"), Required::No)]
    );
    let r = f.result.as_ref().expect("result");
    assert_eq!(r.ty.as_deref(), Some("object"));
    assert_eq!(names(&r.fields), ["board", "cells"]);
    assert_eq!(r.fields[0].ty.as_deref(), Some("Board"));
    assert_eq!(names(&r.fields[0].fields), ["id"]);
    // An object keyed by ids has a placeholder field.
    assert_eq!(names(&r.fields[1].fields), ["<cellId>"]);
    // The unlinked section is reported, not dropped silently.
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, 36);
    assert!(w[0].message.contains("Stray Object"));
}

#[test]
fn several_parameter_sections_merge() {
    let (f, w) = facts(
        "two_param_sections.md",
        include_str!("fixtures/pages/two_param_sections.md"),
    );
    assert_eq!(names(&f.params), ["CODE", "LABELS", "URL"]);
    assert_eq!(f.params[0].required, Required::Yes);
    // `TEXT (LABELS)`: a field of LABELS; both sections' fields are kept.
    assert_eq!(names(&f.params[1].fields), ["TEXT", "HINT"]);
    // Two tables without types: one warning each, nothing else.
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w.iter().all(|w| w.message.contains("no type column")));
}

#[test]
fn a_section_linking_to_itself_is_read_once_per_path() {
    let (f, w) = facts(
        "link_cycle.md",
        include_str!("fixtures/pages/link_cycle.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    let node = &f.params[0];
    assert_eq!(names(&node.fields), ["id", "child"]);
    // `child` links back to the section being expanded: not read again.
    assert!(node.fields[1].fields.is_empty());
}

#[test]
fn object_sections_after_a_nested_returned_data_heading() {
    let (f, w) = facts(
        "sibling_sections.md",
        include_str!("fixtures/pages/sibling_sections.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    // A link from a parameter to a result section is a reference, not nesting.
    assert_eq!(flat(&f.params), [("select", Some("array"), Required::No)]);
    assert!(f.params[0].fields.is_empty());
    // `### Result Object` is a sibling of `### Returned Data`, still part of it.
    let r = f.result.as_ref().expect("result");
    assert_eq!(r.ty.as_deref(), Some("object"));
    assert_eq!(names(&r.fields), ["id", "owner"]);
    assert_eq!(names(&r.fields[1].fields), ["name"]);
    assert_eq!(
        errors(&f),
        [(Some(400), "BAD_SELECT", Some("Unknown field in select"))]
    );
}

#[test]
fn deprecation_notice_with_replacement() {
    let (f, w) = facts(
        "deprecated.md",
        include_str!("fixtures/pages/deprecated.md"),
    );
    assert!(w.is_empty(), "{w:?}");
    let d = f.deprecated.as_ref().expect("deprecated");
    assert_eq!(d.replacements, ["widget.v2.Item.delete"]);
    assert_eq!(d.line, 5);
}

#[test]
fn overview_and_event_pages_are_skipped_quietly() {
    for (name, text) in [
        ("overview.md", include_str!("fixtures/pages/overview.md")),
        ("event.md", include_str!("fixtures/pages/event.md")),
    ] {
        let p = parse_page(name, text);
        assert!(p.facts.is_none(), "{name}");
        assert!(p.warnings.is_empty(), "{name}: {:?}", p.warnings);
    }
}

#[test]
fn unreadable_rows_become_warnings_with_lines() {
    let (f, w) = facts(
        "unreadable.md",
        include_str!("fixtures/pages/unreadable.md"),
    );
    assert_eq!(names(&f.params), ["ID", "UNIT"]);
    assert_eq!(f.params[1].ty.as_deref(), Some("kilo grams"));
    assert_eq!(
        errors(&f),
        [(None, "TOO_HEAVY", Some("Widget is too heavy"))]
    );
    let got: Vec<(usize, bool)> = w
        .iter()
        .map(|w| (w.line, w.path == "unreadable.md"))
        .collect();
    assert_eq!(
        got,
        [(12, true), (14, true), (22, true), (25, true)],
        "{w:?}"
    );
}

#[test]
fn never_panics_on_broken_markup() {
    let samples = [
        "# a.b\n## Method Parameters\n#|\n|| **x**\n`int` | y",
        "# a.b\n## Parameters\n|#\n||\n#|\n#|",
        "# a.b\n## Possible Errors\n#|\n|| **Code** ||\n|| ` ||\n|#\n```",
        "# a.b\n## Returned Data\n#|\n|| **Name** | **Type** ||\n|| **result** ||\n|#",
        "",
        "#|",
        "# x.y \\{ \\}",
    ];
    for s in samples {
        let _ = parse_page("broken.md", s);
        let _ = parse_error_page("broken.md", s);
    }
}

/// The documentation directory, or `None` when the test should skip (see `docs::dir_from_env`).
fn docs_dir() -> Option<PathBuf> {
    bitrix_tools::apidocs::dir_from_env().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_page_parses_without_panic() {
    let Some(dir) = docs_dir() else { return };
    let set = parse_dir(&dir).expect("the documentation directory can be listed");
    assert!(set.pages > 0, "no .md pages under {}", dir.display());
    for w in &set.warnings {
        println!("{w}");
    }
    println!(
        "{} pages, {} method pages, {} warnings",
        set.pages,
        set.methods.len(),
        set.warnings.len()
    );
    assert!(!set.methods.is_empty());
}

/// Writes every page's facts as JSON to `$DOCS_FACTS_OUT` (for inspection by a person).
#[test]
#[ignore = "writes a file; run by hand"]
fn dump_facts() {
    let Some(dir) = docs_dir() else { return };
    let out = std::env::var("DOCS_FACTS_OUT").unwrap_or_else(|_| "/tmp/doc-facts.json".into());
    let set = parse_dir(&dir).expect("listable");
    let json = serde_json::to_string_pretty(&set.methods).expect("serializable");
    std::fs::write(&out, json).expect("writable");
    println!("wrote {out}");
}

/// A hidden page that documents a method only by example (no params, result or error
/// sections) is still read as a method page when it has a `Scope:` line, and its "not
/// operational" notice is an inoperative deprecation; a page of that shape without a method
/// name (an event's page) or naming a family (`x.option.*`) is skipped without a warning.
#[test]
fn a_page_with_only_a_scope_line_and_an_inoperative_notice() {
    let page = "# Get a File w.file.get\n\n{% note warning \"Still updating\" %}\n\nThe page is hidden from the menu, and the method is not operational.\n\n{% endnote %}\n\n> Scope: [`widget`](s.md)\n>\n> Who can execute the method: any user\n\nIt gets a file.\n\n## Example\n\nText.\n";
    let (f, w) = facts("file_get.md", page);
    assert_eq!(f.method, "w.file.get");
    assert_eq!(f.scopes, ["widget"]);
    assert!(f.params.is_empty() && f.errors.is_empty(), "{f:?}");
    let d = f.deprecated.expect("a notice");
    assert!(d.inoperative && d.replacements.is_empty(), "{d:?}");
    assert!(w.is_empty(), "{w:?}");
    let event = "# On Something\n\n> Scope: [`widget`](s.md)\n\nIt happens.\n";
    let p = parse_page("event.md", event);
    assert!(p.facts.is_none() && p.warnings.is_empty(), "{p:?}");
    let family =
        "# Options w.option.*\n\n> Scope: [`widget`](s.md)\n\nThe **w.option.get** method reads.\n";
    let p = parse_page("family.md", family);
    assert!(p.facts.is_none() && p.warnings.is_empty(), "{p:?}");
}
