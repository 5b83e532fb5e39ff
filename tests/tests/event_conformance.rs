//! Event conformance: the event files of `spec/events/` agree with the official event pages.
//!
//! For every event file (the directory is read, so files added later are covered), its page
//! under `BITRIX_DOCS_DIR` must exist (and its `#anchor`, when it has one), and every JSON
//! example of that event on the page must decode into the event's typed variant:
//!
//! - from JSON: the example's `data` (or the whole block, for pages such as the imbot.v2 and
//!   im.v2 ones whose examples are the data alone, found in the event's own section) through
//!   `bitrix_api::Event::decode`;
//! - from a webhook body: the same example as a full envelope (`event`, `data`, `ts`, `auth`;
//!   data-only examples get one) encoded by PHP's `http_build_query` rules
//!   (`bitrix_tests::php_query`), parsed by `bitrix_api::events::parse_form` and decoded through
//!   the form deserializer;
//!
//! and the two decodes must be equal wherever the form encoding keeps the information. What a
//! form cannot carry (see [`normalise`]):
//!
//! - `null`, `""`, `{}` and `[]`: a form leaves them out or sends `""`, which reads as absent,
//!   while JSON gives `Some("")` or an empty collection;
//! - the scalars of an untyped value (`any`, an object without fields): a form holds them as
//!   text (`164` arrives as `"164"`, `true`/`false` as `"1"`/`"0"`);
//! - a union of a string and a boolean (`idle`, `lastActivityDate`, … of imbot.v2/im.v2 users):
//!   a form's `"0"` reads as the string where JSON had `false`; and a union of a boolean and an
//!   untyped object (`phones` of those users) keeps a form's `"0"` as untyped text in the
//!   object variant where JSON had `false`.
//!
//! A second test lists the events that the pages of the covered sections document without a
//! spec file (the chat-bot pages in one test; the open-lines, connector and application pages in
//! another).
//!
//! `.ci/run` sets `BITRIX_DOCS_DIR`; when `CI` is set and it is missing or wrong, the tests fail.

use bitrix_api::events::{self, FormDeserializer, FormMap, FormValue, Limits};
use bitrix_tests::php_query::http_build_query;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn docs_dir() -> Option<PathBuf> {
    bitrix_tools::apidocs::dir_from_env().unwrap_or_else(|e| panic!("{e}"))
}

/// Wire name → `docs:` of every event file of the spec.
fn spec_events() -> BTreeMap<String, String> {
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let (set, diags) = bitrix_codegen::load::load_dir(&spec_dir);
    assert!(
        diags.is_empty(),
        "the spec does not load:\n{}",
        bitrix_codegen::diag::report(&diags)
    );
    set.events
        .values()
        .map(|e| (e.value.event.to_ascii_uppercase(), e.value.docs.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Finding the examples.

/// One JSON example of an event on its page.
#[derive(Debug)]
struct Example {
    /// 1-based line of the block's first line.
    line: usize,
    /// The `data` to decode.
    data: serde_json::Value,
    /// The envelope to send as a form: the block itself, or a made-up one around data-only
    /// examples.
    envelope: serde_json::Value,
}

/// A fenced JSON block of a page: the line it starts on, the level-2 heading it sits under
/// and its text.
struct Block {
    line: usize,
    heading: String,
    text: String,
}

fn json_blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut lines = page.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let t = line.trim_start();
        if let Some(h) = t.strip_prefix("## ") {
            heading = h.trim().to_string();
        }
        if !t.starts_with("```json") {
            continue;
        }
        let mut text = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            text.push_str(l);
            text.push('\n');
        }
        out.push(Block {
            line: n + 2,
            heading: heading.clone(),
            text,
        });
    }
    out
}

/// Whether a level-2 heading (`ONIMBOTV2JOINCHAT {#onimbotv2joinchat}`) is the event's section:
/// its `{#anchor}` is the spec's anchor, or its first word is the event's name.
fn is_section_of(heading: &str, event: &str, anchor: Option<&str>) -> bool {
    let by_anchor = anchor.is_some_and(|a| heading.contains(&format!("{{#{a}}}")));
    let first = heading.split_whitespace().next().unwrap_or("");
    by_anchor || first.eq_ignore_ascii_case(event)
}

/// The envelope a data-only example is sent in.
fn wrap(event: &str, data: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "event": event,
        "data": data,
        "ts": "1772093963",
        "auth": {"member_id": "m", "domain": "example.bitrix24.com", "application_token": "t"},
    })
}

/// Whether a block only sketches a structure: some value is elided (`"..."`), so its empty
/// objects stand for content (the imbot.v2 page's webhook-structure block).
fn is_schematic(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s == "..." || s == "…",
        serde_json::Value::Array(a) => a.iter().any(is_schematic),
        serde_json::Value::Object(o) => o.values().any(is_schematic),
        _ => false,
    }
}

/// The examples of `event` on `page`: blocks whose `event` is its name, and object blocks
/// without `event` in its own section. A block of its section that is not JSON is an error.
fn examples(page: &str, event: &str, anchor: Option<&str>) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for b in json_blocks(page) {
        let own_section = is_section_of(&b.heading, event, anchor);
        let value = match serde_json::from_str::<serde_json::Value>(&b.text) {
            Ok(v) => v,
            Err(e) if own_section => return Err(format!("line {}: not JSON: {e}", b.line)),
            Err(_) => continue,
        };
        if is_schematic(&value) {
            continue;
        }
        let named = value.get("event").and_then(|e| e.as_str());
        match named {
            Some(n) if n.eq_ignore_ascii_case(event) => out.push(Example {
                line: b.line,
                data: value
                    .get("data")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
                envelope: value,
            }),
            None if own_section && value.is_object() => out.push(Example {
                line: b.line,
                envelope: wrap(event, &value),
                data: value,
            }),
            _ => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Decoding both ways.

/// Decodes an example from JSON and from its form encoding; both must give the typed variant.
fn decode_both(
    event: &str,
    ex: &Example,
) -> Result<(bitrix_api::Event, bitrix_api::Event), String> {
    let from_json =
        bitrix_api::Event::decode(event, &ex.data).map_err(|e| format!("from JSON: {e}"))?;
    if let bitrix_api::Event::Unknown { .. } = from_json {
        return Err("from JSON: decoded as Unknown (no typed variant)".into());
    }
    let body = http_build_query(&ex.envelope.to_string()).map_err(|e| format!("encoding: {e}"))?;
    let mut root: FormMap = events::parse_form(body.as_bytes(), &Limits::default())
        .map_err(|e| format!("form: {e}"))?;
    let sent = root.get("event").and_then(FormValue::as_str).unwrap_or("");
    if !sent.eq_ignore_ascii_case(event) {
        return Err(format!("form: `event` is {sent:?}"));
    }
    let data = root
        .remove("data")
        .unwrap_or_else(|| FormValue::Map(FormMap::new()));
    let from_form = bitrix_api::Event::decode(event, FormDeserializer::new(&data))
        .map_err(|e| format!("from the form: {e}"))?;
    if let bitrix_api::Event::Unknown { .. } = from_form {
        return Err("from the form: decoded as Unknown (no typed variant)".into());
    }
    Ok((from_json, from_form))
}

/// A decoded event as text with what a form cannot carry made equal (see the module docs):
/// empty and untyped values, and a string-or-boolean union's `false`.
fn normalise(event: &bitrix_api::Event) -> String {
    let mut s = format!("{event:?}");
    for (from, to) in [
        ("Some(\"\")", "None"),
        ("Some(Null)", "None"),
        ("Some(Object {})", "None"),
        ("Some(Array [])", "None"),
        ("Some({})", "None"),
        ("Some([])", "None"),
        ("Bool(true)", "String(\"1\")"),
        ("Bool(false)", "String(\"0\")"),
        ("Boolean(true)", "String(\"1\")"),
        ("Boolean(false)", "String(\"0\")"),
        ("Object(String(\"0\"))", "String(\"0\")"),
        ("Object(String(\"1\"))", "String(\"1\")"),
    ] {
        s = s.replace(from, to);
    }
    numbers_as_text(&s)
}

/// `Number(164)` (an untyped JSON number) → `String("164")`, as a form holds it.
fn numbers_as_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("Number(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "Number(".len()..];
        match after.find(')') {
            Some(j) => {
                out.push_str(&format!("String({:?})", &after[..j]));
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where two texts first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let from = a[..at].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
    let clip = |s: &str| {
        s.get(from..)
            .unwrap_or("")
            .chars()
            .take(160)
            .collect::<String>()
    };
    format!("\n     JSON: …{}\n     form: …{}", clip(a), clip(b))
}

#[test]
fn every_event_example_decodes_from_json_and_from_its_form_encoding_alike() {
    let Some(docs) = docs_dir() else { return };
    let spec = spec_events();
    assert!(!spec.is_empty(), "no event files in spec/events");
    let mut problems = Vec::new();
    let mut without_examples = Vec::new();
    let mut checked = 0;
    for (event, docs_path) in &spec {
        let (page_path, anchor) = match docs_path.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (docs_path.as_str(), None),
        };
        let page = match std::fs::read_to_string(docs.join(page_path)) {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("{event}: page {page_path}: {e}"));
                continue;
            }
        };
        if let Some(a) = anchor {
            if !page.contains(&format!("{{#{a}}}")) {
                problems.push(format!("{event}: no anchor #{a} on {page_path}"));
            }
        }
        let found = match examples(&page, event, anchor) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{event}: {page_path}: {e}"));
                continue;
            }
        };
        if found.is_empty() {
            without_examples.push(event.as_str());
        }
        for ex in &found {
            let at = format!("{event} ({page_path}:{})", ex.line);
            match decode_both(event, ex) {
                Ok((json, form)) => {
                    checked += 1;
                    let (j, f) = (normalise(&json), normalise(&form));
                    if j != f {
                        problems.push(format!(
                            "{at}: the JSON and form decodes differ{}",
                            first_difference(&j, &f)
                        ));
                    }
                }
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
    }
    eprintln!(
        "{checked} examples checked; events whose page has no example of them: {}",
        without_examples.join(", ")
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked >= 10, "only {checked} examples found");
}

// ---------------------------------------------------------------------------------------------
// Every documented event has a spec file.

/// The chat-bot event pages: one event per page in `outdated/**/events/`, several (one per
/// `## ON…` section) on the imbot.v2 and im.v2 pages.
const CHAT_BOT_SECTIONS: &[&str] = &[
    "api-reference/chat-bots/outdated",
    "api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.md",
    "api-reference/chat-bots/chat-bots-v2/im.v2/events/events.md",
];

/// The open-lines, connector and application event pages (another engineer's files).
const OTHER_SECTIONS: &[&str] = &[
    "api-reference/imopenlines",
    "api-reference/common/events",
    "api-reference/events/on-offline-event.md",
];

/// The event pages under `root` (a page, or a folder searched for `events/` folders): every
/// `.md` in a folder named `events`, except the overviews (`index.md`).
fn event_pages(docs: &Path, root: &str) -> Vec<PathBuf> {
    let path = docs.join(root);
    if path.is_file() {
        return vec![path];
    }
    let mut out = Vec::new();
    let mut stack = vec![path];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "index.md")
                && dir.file_name().is_some_and(|n| n == "events")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The events a page documents, upper case: its `## ON…` sections, the `event` of its JSON
/// examples, and for a page named after one event (`on-imbot-join-chat.md`) that event when
/// the page names it.
fn documented_events(path: &Path, page: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in page.lines() {
        if let Some(h) = line.trim_start().strip_prefix("## ") {
            let first = h.split_whitespace().next().unwrap_or("");
            if first.len() > 4
                && first.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"))
                && first.chars().all(|c| c.is_ascii_alphanumeric())
            {
                out.insert(first.to_ascii_uppercase());
            }
        }
    }
    for b in json_blocks(page) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&b.text) {
            if let Some(e) = v.get("event").and_then(|e| e.as_str()) {
                out.insert(e.to_ascii_uppercase());
            }
        }
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem.starts_with("on-") {
        let name = stem.replace('-', "").to_ascii_uppercase();
        if page.to_ascii_uppercase().contains(&name) {
            out.insert(name);
        }
    }
    out
}

/// `(page, event)` for every event the pages under `roots` document without a spec file.
fn missing_files(docs: &Path, roots: &[&str]) -> Vec<String> {
    let spec = spec_events();
    let mut missing = Vec::new();
    let mut pages = 0;
    for root in roots {
        let found = event_pages(docs, root);
        assert!(!found.is_empty(), "no event pages under {root}");
        for path in found {
            pages += 1;
            let page = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rel = path
                .strip_prefix(docs)
                .unwrap_or(&path)
                .display()
                .to_string();
            for event in documented_events(&path, &page) {
                if !spec.contains_key(&event) {
                    missing.push(format!("{event} ({rel})"));
                }
            }
        }
    }
    assert!(pages > 0, "no event pages found");
    missing
}

#[test]
fn every_chat_bot_event_page_has_spec_files() {
    let Some(docs) = docs_dir() else { return };
    let missing = missing_files(&docs, CHAT_BOT_SECTIONS);
    assert!(
        missing.is_empty(),
        "events documented without a file in spec/events:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_open_lines_and_application_event_page_has_spec_files() {
    let Some(docs) = docs_dir() else { return };
    let missing = missing_files(&docs, OTHER_SECTIONS);
    assert!(
        missing.is_empty(),
        "events documented without a file in spec/events:\n{}",
        missing.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The helpers themselves, without the docs.

const PAGE: &str = r#"# Events

## Bot Object Format {#bot-format}

```json
{"bot": {"id": 1, "code": "x"}}
```

## ONIMBOTV2DELETE {#onimbotv2delete}

```json
{"bot": {"id": 456, "code": "support_bot"}}
```

## ONIMBOTV2JOINCHAT {#onimbotv2joinchat}

```json
{"event": "ONIMBOTV2DELETE", "data": {"bot": {"id": "7"}}}
```
"#;

#[test]
fn examples_are_found_by_section_and_by_event_name() {
    let found = examples(PAGE, "ONIMBOTV2DELETE", Some("onimbotv2delete")).unwrap();
    let lines: Vec<usize> = found.iter().map(|e| e.line).collect();
    assert_eq!(lines, [12, 18], "the bot-format block is no example");
    assert_eq!(found[0].envelope["event"], "ONIMBOTV2DELETE");
    assert_eq!(found[0].envelope["data"], found[0].data);
    assert_eq!(found[1].data, serde_json::json!({"bot": {"id": "7"}}));
    assert!(examples(PAGE, "ONIMBOTV2JOINCHAT", None)
        .unwrap()
        .is_empty());
    let sketch =
        "## ONX {#onx}\n```json\n{\"bot\": {\"auth\": {\"t\": \"...\"}}, \"user\": {}}\n```\n";
    assert!(examples(sketch, "ONX", Some("onx")).unwrap().is_empty());
    let broken = "## ONX {#onx}\n```json\n{oops\n```\n";
    assert!(examples(broken, "ONX", Some("onx")).is_err());
}

#[test]
fn both_decodes_of_a_good_example_agree_and_a_bad_one_fails() {
    let ok = &examples(PAGE, "ONIMBOTV2DELETE", None).unwrap()[0];
    let (json, form) = decode_both("ONIMBOTV2DELETE", ok).unwrap();
    assert_eq!(normalise(&json), normalise(&form));
    assert!(matches!(json, bitrix_api::Event::ImbotV2(_)), "{json:?}");
    // `id` is required: without it neither decode gives a variant.
    let bad = Example {
        line: 1,
        data: serde_json::json!({"bot": {"code": "x"}}),
        envelope: wrap(
            "ONIMBOTV2DELETE",
            &serde_json::json!({"bot": {"code": "x"}}),
        ),
    };
    let e = decode_both("ONIMBOTV2DELETE", &bad).unwrap_err();
    assert!(e.contains("from JSON"), "{e}");
    // An event without a spec file is Unknown, which fails.
    let unknown = Example {
        line: 1,
        data: serde_json::json!({"a": 1}),
        envelope: wrap("ONNOSUCHEVENT", &serde_json::json!({"a": 1})),
    };
    assert!(decode_both("ONNOSUCHEVENT", &unknown)
        .unwrap_err()
        .contains("Unknown"));
}

#[test]
fn normalising_only_evens_out_what_a_form_loses() {
    let a = bitrix_api::Event::Unknown {
        name: "X".into(),
        data: serde_json::json!({"n": 164, "b": false, "s": "x"}),
    };
    let b = bitrix_api::Event::Unknown {
        name: "X".into(),
        data: serde_json::json!({"n": "164", "b": "0", "s": "x"}),
    };
    assert_eq!(normalise(&a), normalise(&b));
    let c = bitrix_api::Event::Unknown {
        name: "X".into(),
        data: serde_json::json!({"n": "165", "b": "0", "s": "x"}),
    };
    assert_ne!(normalise(&a), normalise(&c));
    assert!(first_difference("abc", "abd").contains("abc"));
}

#[test]
fn pages_name_their_events() {
    let page = "# Event ONIMBOTJOINCHAT\n\n```json\n{\"event\": \"OnOther\"}\n```\n## ONIMV2JOINCHAT {#x}\n## Overview\n";
    let got = documented_events(Path::new("x/events/on-imbot-join-chat.md"), page);
    let want: BTreeSet<String> = ["ONIMBOTJOINCHAT", "ONOTHER", "ONIMV2JOINCHAT"]
        .map(String::from)
        .into();
    assert_eq!(got, want);
    // A page whose file name is not in its text names no event by its file name.
    assert!(documented_events(Path::new("events/on-foo.md"), "# Foo").is_empty());
}

/// A webhook delivery's `bot` holds the bot's own `auth` (`imbot_v2::Bot::auth`), read from a
/// form as from JSON, its tokens kept out of `Debug`.
#[test]
fn a_webhook_bot_carries_its_own_auth() {
    let data = serde_json::json!({
        "bot": {"id": 456, "code": "helper", "auth": {
            "access_token": "bot-access-secret", "expires": "1772093963", "user_id": "27",
            "domain": "example.bitrix24.com", "application_token": "bot-app-secret"}},
        "messageId": 5,
        "language": "en",
    });
    let ex = Example {
        line: 1,
        envelope: wrap("ONIMBOTV2MESSAGEDELETE", &data),
        data,
    };
    let (json, form) = decode_both("ONIMBOTV2MESSAGEDELETE", &ex).unwrap();
    assert_eq!(json, form);
    let bitrix_api::Event::ImbotV2(bitrix_api::imbot_v2::Event::OnImbotV2MessageDelete(p)) = form
    else {
        panic!("{form:?}");
    };
    assert_eq!(p.message_id, Some(5));
    let auth = p.bot.auth.as_ref().expect("bot.auth");
    assert_eq!(auth.user_id, Some(27));
    assert_eq!(auth.expires, Some(1_772_093_963));
    assert!(auth.access_token.is_some());
    let shown = format!("{p:?}");
    assert!(!shown.contains("secret"), "{shown}");
}
