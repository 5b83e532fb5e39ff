//! Event pages: the parser on both page shapes, drift between event pages and
//! `spec/events` (the history-style cases of the method drift tests), import of event
//! drafts, and a run over every event page of the documentation named by
//! `BITRIX_DOCS_DIR`.

use bitrix_codegen::spec::EventSpec;
use bitrix_tools::apidocs::{dir_from_env, parse_dir, parse_event_page, DocField, EventFacts};
use bitrix_tools::drift::{
    apply_event_deviations, compare_event, run, Coverage, Finding, Kind, Report,
};
use bitrix_tools::import::{draft_event_yaml, event_namespace, import_into, OutDirs, Outcome};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events")
}

const SINGLE: &str = "api-reference/widgets/events/on-widget-ping.md";
const MULTI: &str = "api-reference/widgets/v2/events.md";

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join("docs").join(rel)).expect("fixture")
}

/// `name type` lines of a field tree, indented by depth.
fn tree(fields: &[DocField]) -> Vec<String> {
    fn walk(f: &[DocField], depth: usize, out: &mut Vec<String>) {
        for x in f {
            out.push(format!(
                "{}{} {}",
                "  ".repeat(depth),
                x.name,
                x.ty.as_deref().unwrap_or("-")
            ));
            walk(&x.fields, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(fields, 0, &mut out);
    out
}

#[test]
fn one_event_page() {
    let p = parse_event_page(SINGLE, &read(SINGLE));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let [e] = p.events.as_slice() else {
        panic!("one event expected: {:?}", p.events)
    };
    assert_eq!(e.event, "ONWIDGETPING");
    assert_eq!(e.docs_path(), SINGLE);
    assert_eq!(e.scopes, ["widget"]);
    assert_eq!(e.subscribers.as_deref(), Some("any user"));
    assert_eq!(
        e.deprecated.as_ref().map(|d| d.replacements.clone()),
        Some(vec!["ONWIDGETV2ADD".to_string()])
    );
    assert_eq!(
        tree(&e.data),
        [
            "ITEMS object",
            "  {ITEM_ID} object",
            "    ITEM_ID integer",
            "    TOKEN string",
            "PARAMS object",
            "  WIDGET_ID integer",
            "  TITLE string",
        ]
    );
    assert_eq!(e.data[0].map_key(), Some("{ITEM_ID}"));
    assert_eq!(e.data[1].map_key(), None);
    assert!(e.marks_required);
    // Both tabs, `data` only.
    assert_eq!(e.examples.len(), 2);
    assert_eq!(e.examples[1].data["PARAMS"]["WIDGET_ID"], "4");
}

#[test]
fn several_events_per_page() {
    let p = parse_event_page(MULTI, &read(MULTI));
    let names: Vec<&str> = p.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["ONWIDGETV2ADD", "ONWIDGETV2DROP"]);
    let add = &p.events[0];
    assert_eq!(add.docs_path(), format!("{MULTI}#onwidgetv2add"));
    assert_eq!(
        tree(&add.data),
        [
            "widget object",
            "owner User",
            "options object",
            "  color string",
            "  size integer",
        ]
    );
    assert!(!add.marks_required);
    assert_eq!(add.examples.len(), 1);
    assert_eq!(add.examples[0].data["options"]["size"], 3);
    // The broken example of the second event is a warning, not a panic.
    assert!(p.events[1].examples.is_empty());
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("JSON example does not parse")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn other_pages_give_no_events() {
    let method = "# Add x widget.item.add\n\n> Scope: [`widget`](s.md)\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID**\n[`integer`](t.md) | Id ||\n|#\n";
    let p = parse_event_page("a/b.md", method);
    assert!(p.events.is_empty() && p.warnings.is_empty());
    let article =
        "# About events\n\nText about onSomething.\n\n## What the Handler Receives\n\nNothing.\n";
    assert!(parse_event_page("a/c.md", article).events.is_empty());
}

#[test]
fn page_without_data_row_warns() {
    let text = "# Gone ONWIDGETGONE\n\n> Scope: [`widget`](s.md)\n\n## What the Handler Receives\n\n#|\n|| **Parameter**\n`type` | **Description** ||\n|| **event**\n[`string`](t.md) | Name ||\n|#\n";
    let p = parse_event_page("w/gone.md", text);
    assert_eq!(p.events.len(), 1);
    assert!(p.events[0].data.is_empty());
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("no `data` row")));
}

// ---- drift: the history-style cases ----

/// A one-event page whose `PARAMS` object has the given rows.
fn page(params: &str) -> EventFacts {
    let text = format!(
        "# Ping ONWIDGETPING\n\n> Scope: [`widget`](s.md)\n\n## What the Handler Receives\n\n#|\n|| **Parameter**\n`type` | **Description** ||\n|| **data**\n[`object`](t.md) | See [below](#data) ||\n|#\n\n### Parameter data {{#data}}\n\n#|\n|| **Parameter**\n`type` | **Description** ||\n|| **PARAMS**\n[`object`](t.md) | See [below](#params) ||\n|#\n\n### Parameter PARAMS {{#params}}\n\n#|\n|| **Parameter**\n`type` | **Description** ||\n{params}\n|#\n"
    );
    let p = parse_event_page("w/ping.md", &text);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    p.events.into_iter().next().expect("an event")
}

fn spec(fields: &str, extra: &str) -> EventSpec {
    let yaml = format!(
        "event: ONWIDGETPING\nrust_name: OnWidgetPing\nnamespace: widget\nsummary: s\nscopes: [widget]\ndocs: w/ping.md\n{extra}data:\n  - name: PARAMS\n    type: object\n    description: d\n    fields:\n{fields}\n"
    );
    serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("bad test spec: {e}\n{yaml}"))
}

const ROWS: &str = "|| **ID**\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||";
const FIELDS: &str = "      - { name: ID, type: integer, description: d }\n      - { name: NAME, type: string, description: d }";

fn kinds(f: &[Finding]) -> Vec<(Kind, &str)> {
    let mut v: Vec<(Kind, &str)> = f.iter().map(|f| (f.kind, f.item.as_str())).collect();
    v.sort();
    v
}

#[test]
fn identical_event_has_no_drift() {
    assert_eq!(compare_event(&page(ROWS), &spec(FIELDS, "")), []);
}

#[test]
fn event_field_added_and_removed() {
    let f = page("|| **ID**\n[`integer`](t.md) | Id ||\n|| **EXTRA**\n[`integer`](t.md) | New ||");
    let found = compare_event(&f, &spec(FIELDS, ""));
    assert_eq!(
        kinds(&found),
        [
            (Kind::ResultFieldAdded, "data.PARAMS.EXTRA"),
            (Kind::ResultFieldRemoved, "data.PARAMS.NAME"),
        ]
    );
    assert!(found.iter().all(|f| f.method == "ONWIDGETPING"));
}

#[test]
fn event_field_renamed() {
    let f = page("|| **ID**\n[`integer`](t.md) | Id ||\n|| **TITLE**\n[`string`](t.md) | Name ||");
    assert_eq!(
        kinds(&compare_event(&f, &spec(FIELDS, ""))),
        [(Kind::ResultFieldRenamed, "data.PARAMS.NAME")]
    );
}

#[test]
fn event_field_type_changed() {
    let f = page("|| **ID**\n[`string`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||");
    assert_eq!(
        kinds(&compare_event(&f, &spec(FIELDS, ""))),
        [(Kind::ResultFieldTypeChanged, "data.PARAMS.ID")]
    );
}

#[test]
fn event_required_changed_only_where_the_page_marks() {
    let marked =
        page("|| **ID***\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||");
    // Optional in the spec where the page marks it: lenient on purpose, not drift.
    assert_eq!(compare_event(&marked, &spec(FIELDS, "")), []);
    // Required in the spec where the page does not mark it: stricter than the page, drift.
    let stricter = "      - { name: ID, type: integer, required: true, description: d }\n      - { name: NAME, type: string, required: true, description: d }";
    assert_eq!(
        kinds(&compare_event(&marked, &spec(stricter, ""))),
        [(Kind::FieldRequiredChanged, "data.PARAMS.NAME")]
    );
    // A page without markers says nothing about presence: the spec's `required` stands.
    let required = "      - { name: ID, type: integer, required: true, description: d }\n      - { name: NAME, type: string, description: d }";
    assert_eq!(compare_event(&page(ROWS), &spec(required, "")), []);
}

#[test]
fn event_docs_path_moved() {
    let mut f = page(ROWS);
    f.path = "w/moved/ping.md".into();
    let found = compare_event(&f, &spec(FIELDS, ""));
    assert_eq!(kinds(&found), [(Kind::DocsPathChanged, "")]);
    assert_eq!(found[0].docs.as_deref(), Some("w/moved/ping.md"));
    // Pages with several events compare the anchor too.
    f.path = "w/ping.md".into();
    f.anchor = Some("onwidgetping".into());
    assert_eq!(
        kinds(&compare_event(&f, &spec(FIELDS, ""))),
        [(Kind::DocsPathChanged, "")]
    );
}

#[test]
fn event_deviation_honoured_and_unused() {
    let f = page("|| **ID**\n[`string`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||");
    let s = spec(
        FIELDS,
        "deviations:\n  - { name: PARAMS.ID, reason: the example sends a number }\n  - { name: data.PARAMS.GONE, reason: stale }\n",
    );
    let (kept, accepted) = apply_event_deviations(compare_event(&f, &s), &s);
    assert_eq!(
        kinds(&accepted),
        [(Kind::ResultFieldTypeChanged, "data.PARAMS.ID")]
    );
    assert_eq!(kinds(&kept), [(Kind::DeviationUnused, "data.PARAMS.GONE")]);
}

// ---- whole runs over the fixture tree ----

fn fixture_run(coverage: &Coverage) -> Report {
    let root = fixtures();
    run(&root.join("docs"), &root.join("spec"), coverage).expect("run")
}

#[test]
fn run_reports_missing_and_undocumented_events() {
    let r = fixture_run(&Coverage::SpecGroups);
    let found: Vec<(&str, Kind)> = r
        .findings
        .iter()
        .map(|f| (f.method.as_str(), f.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("ONWIDGETGONE", Kind::NotDocumented),
            ("ONWIDGETV2ADD", Kind::MissingFromSpec),
        ],
        "{:#?}",
        r.findings
    );
    assert_eq!(r.compared, ["ONWIDGETPING", "ONWIDGETV2DROP"]);
    let text = bitrix_tools::drift::render_text(&r);
    assert!(text.contains("ONWIDGETV2ADD (api-reference/widgets/v2/events.md#onwidgetv2add)"));
    let json: serde_json::Value =
        serde_json::from_str(&bitrix_tools::drift::render_json(&r)).expect("json");
    assert_eq!(json["findings"][1]["kind"], "missing_from_spec");
}

#[test]
fn only_prefixes_match_event_names() {
    let r = fixture_run(&Coverage::Prefixes(vec!["onwidgetv2".into()]));
    assert_eq!(r.compared, ["ONWIDGETV2DROP"]);
    assert_eq!(kinds(&r.findings), [(Kind::MissingFromSpec, "")]);
    assert_eq!(r.findings[0].method, "ONWIDGETV2ADD");
}

// ---- import ----

#[test]
fn import_drafts_an_event_and_refuses_to_overwrite() {
    let out = std::env::temp_dir().join(format!("bitrix-tools-events-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let dirs = OutDirs {
        methods: out.join("methods"),
        events: out.join("events"),
    };
    let docs = fixtures().join("docs");
    let names = vec!["onWidgetPing".to_string(), "ONWIDGETV2ADD".to_string()];
    let r = import_into(&docs, &dirs, &names, false).expect("import");
    let ping = out.join("events/ONWIDGETPING.yaml");
    assert_eq!(
        r[0],
        ("ONWIDGETPING".into(), Outcome::Written(ping.clone()))
    );
    let text = std::fs::read_to_string(&ping).expect("draft");
    let e: EventSpec = serde_yaml::from_str(&text).expect("draft loads");
    assert_eq!(e.rust_name, "OnWidgetPing");
    assert_eq!(e.docs, SINGLE);
    assert!(e.summary.starts_with("TODO:"));
    assert_eq!(e.data[0].name, "ITEMS");
    assert!(text.contains("type: map"), "{text}");
    let v2: EventSpec = serde_yaml::from_str(
        &std::fs::read_to_string(out.join("events/ONWIDGETV2ADD.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(v2.docs, format!("{MULTI}#onwidgetv2add"));
    let again = import_into(&docs, &dirs, &names[..1], false).expect("import");
    assert_eq!(again[0].1, Outcome::Exists(ping.clone()));
    let forced = import_into(&docs, &dirs, &names[..1], true).expect("import");
    assert_eq!(forced[0].1, Outcome::Written(ping));
    let missing = import_into(&docs, &dirs, &["ONNOTHING".to_string()], false).unwrap();
    assert_eq!(missing[0].1, Outcome::NotDocumented);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn namespaces_from_sections() {
    let ns = |p: &str, e: &str| event_namespace(p, e);
    assert_eq!(
        ns(
            "api-reference/chat-bots/outdated/chats/events/on-imbot-join-chat.md",
            "ONIMBOTJOINCHAT"
        ),
        "imbot"
    );
    assert_eq!(
        ns(
            "api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.md",
            "ONIMBOTV2DELETE"
        ),
        "imbot_v2"
    );
    assert_eq!(
        ns(
            "api-reference/chat-bots/chat-bots-v2/im.v2/events/events.md",
            "ONIMV2JOINCHAT"
        ),
        "im_v2"
    );
    assert_eq!(
        ns(
            "api-reference/imopenlines/openlines/events/on-session-start.md",
            "ONSESSIONSTART"
        ),
        "imopenlines"
    );
    assert_eq!(
        ns(
            "api-reference/imopenlines/imconnector/events/on-im-connector-line-delete.md",
            "ONIMCONNECTORLINEDELETE"
        ),
        "imconnector"
    );
    assert_eq!(
        ns(
            "api-reference/common/events/on-app-install.md",
            "ONAPPINSTALL"
        ),
        "app"
    );
    assert_eq!(
        ns("api-reference/common/events/on-user-add.md", "ONUSERADD"),
        "user"
    );
    assert_eq!(
        ns("api-reference/events/on-offline-event.md", "ONOFFLINEEVENT"),
        "event"
    );
}

#[test]
fn every_draft_of_the_fixture_loads() {
    let set = parse_dir(&fixtures().join("docs")).expect("docs");
    assert_eq!(set.events.len(), 3);
    for e in set.events.values() {
        draft_event_yaml(e).unwrap_or_else(|err| panic!("{}: {err}", e.event));
    }
}

// ---- the official documentation ----

#[test]
fn every_event_page_of_the_docs_parses() {
    let dir = match dir_from_env() {
        Ok(Some(d)) => d,
        Ok(None) => return,
        Err(e) => panic!("{e}"),
    };
    let set = parse_dir(&dir).expect("the docs directory lists");
    // Every documented section has its events read.
    for (prefix, at_least) in [
        ("api-reference/chat-bots/outdated/", 6),
        ("api-reference/chat-bots/chat-bots-v2/imbot.v2/", 8),
        ("api-reference/chat-bots/chat-bots-v2/im.v2/", 5),
        ("api-reference/imopenlines/openlines/", 5),
        ("api-reference/imopenlines/imconnector/", 7),
        ("api-reference/common/events/", 6),
        ("api-reference/events/", 1),
    ] {
        let n = set
            .events
            .values()
            .filter(|e| e.path.starts_with(prefix))
            .count();
        assert!(
            n >= at_least,
            "{prefix}: {n} events read, expected {at_least}"
        );
    }
    for e in set.events.values() {
        assert!(
            !e.data.is_empty() || e.event == "ONOFFLINEEVENT" || e.event.ends_with("LINEDELETE"),
            "{} has no data fields",
            e.event
        );
        draft_event_yaml(e).unwrap_or_else(|err| panic!("{}: {err}", e.event));
    }
}
