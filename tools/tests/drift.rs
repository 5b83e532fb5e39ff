//! Tests of the drift check and the importer: small page + spec pairs for each kind of
//! drift, the command lines, and runs against the documentation named by
//! `BITRIX_DOCS_DIR`.

use bitrix_codegen::spec::MethodSpec;
use bitrix_tools::apidocs::{parse_dir, parse_page, DocSet, PageFacts};
use bitrix_tools::drift::{self, compare, compare_method, Coverage, Finding, Kind};
use bitrix_tools::import::{self, draft_yaml, Outcome};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A page with the usual layout: `params` and `result` are table rows, `errors` rows of
/// a `Status | Code | Description | Value` table, `head` goes between scope and params.
fn page(method: &str, head: &str, params: &str, result: &str, errors: &str) -> String {
    format!(
        "# Do It {method}\n\n> Scope: [`widget`](s.md)\n\n{head}\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{params}\n|#\n\n## Response Handling\n\n### Returned Data\n\n#|\n|| **Name**\n`type` | **Description** ||\n{result}\n|| **time**\n[`time`](t.md) | Timing ||\n|#\n\n## Error Handling\n\n### Possible Error Codes\n\n#|\n|| **Status** | **Code** | **Description** | **Value** ||\n{errors}\n|#\n"
    )
}

fn facts(text: &str) -> PageFacts {
    let p = parse_page("w/do.md", text);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    p.facts.expect("a method page")
}

fn spec(yaml: &str) -> MethodSpec {
    serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("bad test spec: {e}\n{yaml}"))
}

/// A spec with the given `params`, `result` and `errors` YAML blocks (already indented).
fn spec_yaml(method: &str, extra: &str, params: &str, result: &str, errors: &str) -> String {
    format!(
        "method: {method}\nsummary: s\nscopes: [widget]\ndocs: w/do.md\n{extra}params:\n{params}\nresult:\n{result}\nerrors:\n{errors}\n"
    )
}

const BASE_PARAMS: &str =
    "|| **ID***\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||";
const BASE_RESULT: &str = "|| **result**\n[`boolean`](t.md) | Done ||";
const BASE_ERRORS: &str = "|| `400` | `ID_EMPTY` | Id is empty | why ||";
const SPEC_PARAMS: &str =
    "  - { name: ID, type: integer, required: true }\n  - { name: NAME, type: string }";
const SPEC_RESULT: &str = "  type: boolean";
const SPEC_ERRORS: &str = "  - { code: ID_EMPTY, status: 400, message: Id is empty }";

/// `(kind, item)` of each finding.
fn kinds(f: &[Finding]) -> Vec<(Kind, &str)> {
    let mut v: Vec<(Kind, &str)> = f.iter().map(|f| (f.kind, f.item.as_str())).collect();
    v.sort();
    v
}

fn diff(page_params: &str, spec_params: &str) -> Vec<Finding> {
    let f = facts(&page("w.do", "", page_params, BASE_RESULT, BASE_ERRORS));
    let s = spec(&spec_yaml(
        "w.do",
        "",
        spec_params,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    compare_method(&f, &s)
}

#[test]
fn identical_page_and_spec_have_no_drift() {
    assert_eq!(diff(BASE_PARAMS, SPEC_PARAMS), []);
}

#[test]
fn params_added_removed_and_renamed() {
    let found = diff(
        "|| **Id***\n[`integer`](t.md) | Id ||\n|| **TITLE**\n[`string`](t.md) | Title ||\n|| **EXTRA**\n[`integer`](t.md) | New ||",
        "  - { name: ID, type: integer, required: true }\n  - { name: NAME, type: string }\n  - { name: GONE, type: boolean }",
    );
    assert_eq!(
        kinds(&found),
        [
            (Kind::ParamAdded, "EXTRA"),
            (Kind::ParamAdded, "TITLE"),
            (Kind::ParamRemoved, "GONE"),
            (Kind::ParamRemoved, "NAME"),
            (Kind::ParamRenamed, "ID"),
        ]
    );
    let renamed = found
        .iter()
        .find(|f| f.kind == Kind::ParamRenamed)
        .expect("rename");
    assert_eq!(renamed.docs.as_deref(), Some("Id"));
    assert_eq!(renamed.line, Some(12));
}

#[test]
fn a_lone_removed_and_added_pair_in_place_is_a_rename() {
    let found = diff(
        "|| **ID***\n[`integer`](t.md) | Id ||\n|| **TITLE**\n[`string`](t.md) | Name ||",
        SPEC_PARAMS,
    );
    assert_eq!(kinds(&found), [(Kind::ParamRenamed, "NAME")]);
    assert_eq!(found[0].docs.as_deref(), Some("TITLE"));
}

#[test]
fn type_and_required_changes() {
    let found = diff(
        "|| **ID**\n[`string`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | This parameter is required only for webhooks ||",
        SPEC_PARAMS,
    );
    assert_eq!(
        kinds(&found),
        [
            (Kind::ParamTypeChanged, "ID"),
            (Kind::ParamRequiredChanged, "ID"),
            (Kind::ParamRequiredChanged, "NAME"),
        ]
    );
    let t = &found
        .iter()
        .find(|f| f.kind == Kind::ParamTypeChanged)
        .expect("type");
    assert_eq!(
        (t.docs.as_deref(), t.spec.as_deref()),
        (Some("string"), Some("integer"))
    );
    let r = &found.iter().find(|f| f.item == "NAME").expect("required");
    assert_eq!(
        (r.docs.as_deref(), r.spec.as_deref()),
        (Some("webhook"), Some("false"))
    );
}

#[test]
fn starred_members_of_a_one_of_group_are_not_drift() {
    let f = facts(&page(
        "w.do",
        "",
        "|| **ID***\n[`integer`](t.md) | Id, or give NAME ||\n|| **NAME***\n[`string`](t.md) | Name, or give ID ||",
        BASE_RESULT,
        BASE_ERRORS,
    ));
    let grouped = spec(&spec_yaml(
        "w.do",
        "one_of: [[ID, NAME]]\n",
        "  - { name: ID, type: integer }\n  - { name: NAME, type: string }",
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(compare_method(&f, &grouped), []);
    let plain = spec(&spec_yaml(
        "w.do",
        "",
        "  - { name: ID, type: integer }\n  - { name: NAME, type: string }",
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &plain)),
        [
            (Kind::ParamRequiredChanged, "ID"),
            (Kind::ParamRequiredChanged, "NAME")
        ]
    );
}

#[test]
fn type_equivalences_are_not_drift() {
    let found = diff(
        "|| **ID***\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||\n|| **IDS**\n[`integer[]`](t.md) | Ids ||\n|| **ANY**\n[`array`](t.md) | Rows ||\n|| **WHEN**\n[`object`](t.md) | Timing ||\n|| **KEY**\n[`string`](t.md)\\|[`integer`](t.md) | Either ||\n|| **MAYBE**\n[```string|null```](t.md) | Or null ||\n|| **BOT**\n[`Bot`](e.md) | A bot ||",
        "  - { name: ID, type: integer, required: true }\n  - { name: NAME, type: string }\n  - { name: IDS, type: array, items: integer }\n  - { name: ANY, type: array, items: object }\n  - { name: WHEN, type: time }\n  - { name: KEY, type: [integer, string] }\n  - { name: MAYBE, type: string }\n  - { name: BOT, type: object }",
    );
    assert_eq!(found, []);
}

#[test]
fn flags_with_an_encoding_match_the_written_type() {
    let page_params = "|| **ID***\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md) | Name ||\n|| **ON**\n[`string`](t.md) | `Y` or `N` ||\n|| **OFF**\n[`integer`](t.md) | `1` or `0` ||\n|| **BAD**\n[`string`](t.md) | `Y` or `N` ||";
    let found = diff(
        page_params,
        "  - { name: ID, type: integer, required: true }\n  - { name: NAME, type: string }\n  - { name: ON, type: char, encoding: yn }\n  - { name: OFF, type: boolean, encoding: int }\n  - { name: BAD, type: char }",
    );
    assert_eq!(kinds(&found), [(Kind::ParamTypeChanged, "BAD")]);
}

#[test]
fn array_items_and_union_members_are_compared() {
    let found = diff(
        "|| **ID***\n[`integer`](t.md) | Id ||\n|| **NAME**\n[`string`](t.md)\\|[`integer`](t.md) | Name ||\n|| **IDS**\n[`integer[]`](t.md) | Ids ||",
        "  - { name: ID, type: integer, required: true }\n  - { name: NAME, type: string }\n  - { name: IDS, type: array, items: string }",
    );
    assert_eq!(
        kinds(&found),
        [
            (Kind::ParamTypeChanged, "IDS"),
            (Kind::ParamTypeChanged, "NAME")
        ]
    );
}

#[test]
fn nested_field_changes() {
    let text = format!(
        "{}\n### Parameter FIELDS {{#fields}}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **code***\n[`string`](t.md) | Code ||\n|| **size**\n[`integer`](t.md) | Size ||\n|#\n",
        page(
            "w.do",
            "",
            "|| **FIELDS***\n[`object`](t.md) | See [below](#fields) ||",
            BASE_RESULT,
            BASE_ERRORS
        )
        .replace("## Response Handling", "\n## Response Handling")
    );
    // The nested section sits after the page's other sections: move it under the params.
    let text = move_section_under_params(&text);
    let f = facts(&text);
    let s = spec(&spec_yaml(
        "w.do",
        "",
        "  - name: FIELDS\n    type: object\n    required: true\n    fields:\n      - { name: code, type: integer, required: true }\n      - { name: old, type: string }",
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &s)),
        [
            (Kind::ParamAdded, "FIELDS.size"),
            (Kind::ParamRemoved, "FIELDS.old"),
            (Kind::ParamTypeChanged, "FIELDS.code"),
        ]
    );
}

/// Moves the trailing `### Parameter ...` section right after the parameters table.
fn move_section_under_params(text: &str) -> String {
    let at = text.find("\n### Parameter FIELDS").expect("section");
    let (main, section) = text.split_at(at);
    main.replacen(
        "\n## Response Handling",
        &format!("{section}\n## Response Handling"),
        1,
    )
}

#[test]
fn result_changes() {
    let text = page(
        "w.do",
        "",
        BASE_PARAMS,
        "|| **result**\n[`object`](t.md) | Result ||\n|| **result.id**\n[`integer`](t.md) | Id ||\n|| **result.tags**\n[`string[]`](t.md) | Tags ||",
        BASE_ERRORS,
    );
    let f = facts(&text);
    let s = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        "  type: object\n  fields:\n    - { name: id, type: string }\n    - { name: gone, type: integer }",
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &s)),
        [
            (Kind::ResultFieldAdded, "result.tags"),
            (Kind::ResultFieldRemoved, "result.gone"),
            (Kind::ResultFieldTypeChanged, "result.id"),
        ]
    );
    let s2 = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        "  type: integer",
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &s2)),
        [(Kind::ResultTypeChanged, "result")]
    );
}

#[test]
fn placeholder_keys_match_a_spec_map() {
    let text = page(
        "w.do",
        "",
        BASE_PARAMS,
        "|| **result**\n[`object`](t.md) | By id ||\n|| **result.\\<id\\>**\n[`object`](t.md) | One ||\n|| **result.\\<id\\>.name**\n[`string`](t.md) | Name ||",
        BASE_ERRORS,
    );
    let f = facts(&text);
    let s = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        "  type: map\n  items: object\n  fields:\n    - { name: name, type: string }",
        SPEC_ERRORS,
    ));
    assert_eq!(compare_method(&f, &s), []);
}

#[test]
fn error_changes_and_repeated_codes() {
    let f = facts(&page(
        "w.do",
        "",
        BASE_PARAMS,
        BASE_RESULT,
        "|| `403` | `ID_EMPTY` | Id is empty | why ||\n|| `400` | `DENIED` | No access | a ||\n|| `400` | `DENIED` | No access at all | b ||\n|| `400` | `NEW_ONE` | Fresh | c ||",
    ));
    let s = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        SPEC_RESULT,
        "  - { code: ID_EMPTY, status: 400, message: Id is empty }\n  - { code: DENIED, status: 400, message: No access }\n  - { code: DENIED, status: 400, message: Denied }\n  - { code: OLD_ONE, status: 500 }",
    ));
    let found = compare_method(&f, &s);
    assert_eq!(
        kinds(&found),
        [
            (Kind::ErrorAdded, "NEW_ONE"),
            (Kind::ErrorRemoved, "OLD_ONE"),
            (Kind::ErrorStatusChanged, "ID_EMPTY"),
            (Kind::ErrorMessageChanged, "DENIED"),
        ]
    );
    let m = found
        .iter()
        .find(|f| f.kind == Kind::ErrorMessageChanged)
        .expect("message");
    assert_eq!(
        (m.docs.as_deref(), m.spec.as_deref()),
        (Some("No access at all"), Some("Denied"))
    );
}

/// Rows whose code cell says `Empty string` are compared with the spec's `code: ""` rows,
/// message by message; findings name them `(empty code)`.
#[test]
fn errors_with_an_empty_code_are_compared() {
    let f = facts(&page(
        "w.do",
        "",
        BASE_PARAMS,
        BASE_RESULT,
        "|| `400` | Empty string | Access denied. | a ||\n|| `400` | Empty string | ID is not defined or invalid | b ||\n|| `400` | Empty string | Brand new | c ||",
    ));
    let s = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        SPEC_RESULT,
        "  - { code: '', status: 400, message: Access denied. }\n  - { code: '', status: 400, message: ID is not defined or invalid }",
    ));
    let found = compare_method(&f, &s);
    assert_eq!(kinds(&found), [(Kind::ErrorAdded, drift::EMPTY_CODE)]);
    assert_eq!(found[0].docs.as_deref(), Some("400 Brand new"));
    let all = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        SPEC_RESULT,
        "  - { code: '', status: 400, message: Access denied. }\n  - { code: '', status: 400, message: ID is not defined or invalid }\n  - { code: '', status: 400, message: Brand new }",
    ));
    assert_eq!(compare_method(&f, &all), []);
}

#[test]
fn deprecation_scopes_and_page_changes() {
    let note =
        "{% note warning \"DEPRECATED\" %}\n\nUse [w.v2.do](v2.md) instead.\n\n{% endnote %}";
    let f = facts(&page("w.do", note, BASE_PARAMS, BASE_RESULT, BASE_ERRORS));
    let plain = spec(&spec_yaml(
        "w.do",
        "",
        SPEC_PARAMS,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &plain)),
        [(Kind::DeprecationAdded, "")]
    );
    let other = spec(&spec_yaml(
        "w.do",
        "deprecated: { replacement: w.v3.do }\n",
        SPEC_PARAMS,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &other)),
        [(Kind::ReplacementChanged, "")]
    );
    let same = spec(&spec_yaml(
        "w.do",
        "deprecated: { replacement: w.v2.do }\n",
        SPEC_PARAMS,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(compare_method(&f, &same), []);
    // "Does not work" is not "superseded": the flag is compared both ways.
    let inoperative = spec(&spec_yaml(
        "w.do",
        "deprecated: { replacement: w.v2.do, inoperative: true }\n",
        SPEC_PARAMS,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(
        kinds(&compare_method(&f, &inoperative)),
        [(Kind::DeprecationChanged, "")]
    );
    let broken = "The method is not operational.";
    let h = facts(&page("w.do", broken, BASE_PARAMS, BASE_RESULT, BASE_ERRORS));
    assert_eq!(
        kinds(&compare_method(&h, &same)),
        [(Kind::DeprecationChanged, "")]
    );
    let inoperative_plain = spec(&spec_yaml(
        "w.do",
        "deprecated: { inoperative: true }\n",
        SPEC_PARAMS,
        SPEC_RESULT,
        SPEC_ERRORS,
    ));
    assert_eq!(compare_method(&h, &inoperative_plain), []);

    let g = facts(&page("w.do", "", BASE_PARAMS, BASE_RESULT, BASE_ERRORS));
    assert_eq!(
        kinds(&compare_method(&g, &same)),
        [(Kind::DeprecationRemoved, "")]
    );
    let moved = spec(
        &spec_yaml("w.do", "", SPEC_PARAMS, SPEC_RESULT, SPEC_ERRORS)
            .replace("docs: w/do.md", "docs: w/old.md")
            .replace("scopes: [widget]", "scopes: [widget, crm]"),
    );
    assert_eq!(
        kinds(&compare_method(&g, &moved)),
        [(Kind::DocsPathChanged, ""), (Kind::ScopesChanged, "")]
    );
}

fn doc_set(pages: &[(&str, &str)]) -> DocSet {
    let mut set = DocSet::default();
    for (name, method) in pages {
        let text = page(method, "", BASE_PARAMS, BASE_RESULT, BASE_ERRORS);
        let mut f = parse_page(name, &text).facts.expect("facts");
        f.path = "w/do.md".into();
        set.methods.insert(f.method.clone(), f);
    }
    set
}

#[test]
fn coverage_missing_and_undocumented_methods() {
    let docs = doc_set(&[
        ("a", "w.item.add"),
        ("b", "w.item.get"),
        ("c", "w.other.get"),
        ("d", "x.item.add"),
    ]);
    let mut specs = BTreeMap::new();
    for m in ["w.item.add", "w.item.gone"] {
        specs.insert(
            m.to_string(),
            spec(&spec_yaml(m, "", SPEC_PARAMS, SPEC_RESULT, SPEC_ERRORS)),
        );
    }
    let by_group = compare(&docs, &specs, &Coverage::SpecGroups);
    let got: Vec<(&str, Kind)> = by_group
        .findings
        .iter()
        .map(|f| (f.method.as_str(), f.kind))
        .collect();
    assert_eq!(
        got,
        [
            ("w.item.get", Kind::MissingFromSpec),
            ("w.item.gone", Kind::NotDocumented)
        ]
    );
    assert_eq!(by_group.compared, ["w.item.add"]);

    let by_prefix = compare(&docs, &specs, &Coverage::Prefixes(vec!["w.".into()]));
    let got: Vec<(&str, Kind)> = by_prefix
        .findings
        .iter()
        .map(|f| (f.method.as_str(), f.kind))
        .collect();
    assert_eq!(
        got,
        [
            ("w.item.get", Kind::MissingFromSpec),
            ("w.item.gone", Kind::NotDocumented),
            ("w.other.get", Kind::MissingFromSpec),
        ]
    );
    let none = compare(
        &docs,
        &specs,
        &Coverage::Prefixes(vec!["x.item.add".into()]),
    );
    assert_eq!(kinds(&none.findings), [(Kind::MissingFromSpec, "")]);
    assert!(none.compared.is_empty());
}

#[test]
fn json_output_is_sorted_and_stable() {
    let docs = doc_set(&[("b", "w.item.get"), ("a", "w.item.add")]);
    let specs: BTreeMap<String, MethodSpec> = [("w.item.zzz", "w.item.zzz")]
        .iter()
        .map(|(k, m)| {
            (
                k.to_string(),
                spec(&spec_yaml(m, "", SPEC_PARAMS, SPEC_RESULT, SPEC_ERRORS)),
            )
        })
        .collect();
    let r = compare(&docs, &specs, &Coverage::SpecGroups);
    let a = drift::render_json(&r);
    let b = drift::render_json(&compare(&docs, &specs, &Coverage::SpecGroups));
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).expect("json");
    let methods: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["method"].as_str())
        .collect();
    assert_eq!(methods, ["w.item.add", "w.item.get", "w.item.zzz"]);
    assert_eq!(v["findings"][0]["kind"], "missing_from_spec");
}

/// A fresh empty directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bitrix-drift-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, text).expect("write");
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn command_line_exit_codes() {
    let root = temp_dir("cli");
    let docs = root.join("docs");
    let spec_dir = root.join("spec");
    write(
        &docs.join("w/do.md"),
        &page("w.do", "", BASE_PARAMS, BASE_RESULT, BASE_ERRORS),
    );
    write(
        &spec_dir.join("methods/w.do.yaml"),
        &spec_yaml("w.do", "", SPEC_PARAMS, SPEC_RESULT, SPEC_ERRORS),
    );
    let d = docs.to_string_lossy().into_owned();
    let s = spec_dir.to_string_lossy().into_owned();
    assert_eq!(drift::cli(&args(&["--docs", &d, "--spec", &s])), 0);
    assert_eq!(
        drift::cli(&args(&[
            "--docs", &d, "--spec", &s, "--format", "json", "--only", "w."
        ])),
        0
    );
    assert_eq!(drift::cli(&args(&["--spec", &s])), 2);
    assert_eq!(drift::cli(&args(&["--docs", &d, "--format", "xml"])), 2);
    assert_eq!(
        drift::cli(&args(&["--docs", "/nonexistent/docs", "--spec", &s])),
        2
    );
    write(
        &spec_dir.join("methods/w.do.yaml"),
        &spec_yaml(
            "w.do",
            "",
            "  - { name: ID, type: string, required: true }",
            SPEC_RESULT,
            SPEC_ERRORS,
        ),
    );
    assert_eq!(drift::cli(&args(&["--docs", &d, "--spec", &s])), 1);
    write(&spec_dir.join("methods/broken.yaml"), "method: [");
    assert_eq!(drift::cli(&args(&["--docs", &d, "--spec", &s])), 2);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn deviations_accept_findings_and_unused_ones_fail() {
    let docs = doc_set(&[("a", "w.do")]);
    let yaml = spec_yaml(
        "w.do",
        "",
        "  - { name: ID, type: string, required: true }\n  - { name: NAME, type: string }",
        SPEC_RESULT,
        SPEC_ERRORS,
    );
    let run = |extra: &str| {
        let specs: BTreeMap<String, MethodSpec> =
            [("w.do".to_string(), spec(&format!("{yaml}{extra}")))].into();
        compare(&docs, &specs, &Coverage::SpecGroups)
    };
    let plain = run("");
    assert_eq!(kinds(&plain.findings), [(Kind::ParamTypeChanged, "ID")]);
    let excused = run("deviations:\n  - { name: ID, reason: the server takes either }\n");
    assert!(excused.findings.is_empty(), "{:?}", excused.findings);
    assert_eq!(kinds(&excused.accepted), [(Kind::ParamTypeChanged, "ID")]);
    let stale = run(
        "deviations:\n  - { name: ID, reason: r }\n  - { name: GONE, reason: no longer differs }\n",
    );
    assert_eq!(kinds(&stale.findings), [(Kind::DeviationUnused, "GONE")]);
    assert_eq!(stale.findings[0].spec.as_deref(), Some("no longer differs"));
}

#[test]
fn import_writes_a_loadable_draft_and_refuses_to_overwrite() {
    let root = temp_dir("import");
    let docs = root.join("docs");
    let out = root.join("out");
    let text = include_str!("fixtures/pages/nested_sections.md");
    write(&docs.join("b/create.md"), text);
    let methods = vec!["board.v2.Board.create".to_string()];
    let r = import::import(&docs, &out, &methods, false).expect("import");
    let path = out.join("board.v2.Board.create.yaml");
    assert_eq!(
        r,
        [(
            "board.v2.Board.create".to_string(),
            Outcome::Written(path.clone())
        )]
    );
    let yaml = std::fs::read_to_string(&path).expect("draft");
    let m: MethodSpec = serde_yaml::from_str(&yaml).expect("the draft loads");
    assert!(m.summary.starts_with("TODO:"));
    assert_eq!(m.docs, "b/create.md");
    assert_eq!(m.params[0].name, "fields");
    let fields = m.params[0].fields.as_ref().expect("nested");
    assert_eq!(
        fields[2]
            .items
            .as_ref()
            .map(bitrix_codegen::spec::Items::name),
        Some("integer")
    );
    assert!(fields.iter().all(|f| f
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("TODO:"))));
    // `cells` is keyed by a placeholder: a map.
    let cells = &m.result.fields.as_ref().expect("result fields")[1];
    assert_eq!(cells.ty, bitrix_codegen::spec::TypeExpr::One("map".into()));

    std::fs::write(&path, "keep me").expect("write");
    let again = import::import(&docs, &out, &methods, false).expect("import");
    assert_eq!(
        again,
        [(
            "board.v2.Board.create".to_string(),
            Outcome::Exists(path.clone())
        )]
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep me");
    assert_eq!(
        import::cli(&args(&[
            "--docs",
            &docs.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
            "--force",
            "board.v2.Board.create"
        ])),
        0
    );
    assert_ne!(std::fs::read_to_string(&path).expect("read"), "keep me");
    assert_eq!(
        import::cli(&args(&[
            "--docs",
            &docs.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
            "no.such.method"
        ])),
        1
    );
    assert_eq!(import::cli(&args(&["--out", "x", "a.b"])), 2);
    let _ = std::fs::remove_dir_all(&root);
}

/// The documentation directory, or `None` when the test should skip (see `docs::dir_from_env`).
fn docs_dir() -> Option<PathBuf> {
    bitrix_tools::apidocs::dir_from_env().unwrap_or_else(|e| panic!("{e}"))
}

fn spec_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn spec_methods_match_the_documentation() {
    let Some(dir) = docs_dir() else { return };
    let report = drift::run(&dir, &spec_root(), &Coverage::SpecGroups)
        .unwrap_or_else(|e| panic!("drift could not run: {e:?}"));
    print!("{}", drift::render_text(&report));
    // Documented methods the spec has not reached yet are listed, not failed on: this
    // test is about the methods the spec covers.
    let drift: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind != Kind::MissingFromSpec && !is_event(&f.method))
        .collect();
    assert!(
        drift.is_empty(),
        "{} findings on covered methods",
        drift.len()
    );
}

/// Event wire names are upper case without dots; methods have dots.
fn is_event(name: &str) -> bool {
    !name.contains('.') && name.starts_with("ON")
}

#[test]
fn spec_events_match_the_documentation() {
    let Some(dir) = docs_dir() else { return };
    let report = drift::run(&dir, &spec_root(), &Coverage::SpecGroups)
        .unwrap_or_else(|e| panic!("drift could not run: {e:?}"));
    let drift: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind != Kind::MissingFromSpec && is_event(&f.method))
        .collect();
    for f in &drift {
        println!("{} {} {}", f.method, f.kind.as_str(), f.item);
    }
    assert!(
        drift.is_empty(),
        "{} findings on covered events",
        drift.len()
    );
}

#[test]
fn every_documented_method_imports_to_a_loadable_draft() {
    let Some(dir) = docs_dir() else { return };
    let docs = parse_dir(&dir).expect("listable");
    for f in docs.methods.values() {
        if let Err(e) = draft_yaml(f) {
            panic!("{}: {e}", f.method);
        }
    }
    println!("{} drafts load", docs.methods.len());
}
