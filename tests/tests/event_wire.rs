//! Receiving events on the wire (`bitrix_api::events`):
//! - the form parser agrees with PHP's `parse_str` on the bodies of
//!   `tests/fixtures/events/parse_str.json` (recorded from PHP 8.2);
//! - events encoded the way a portal sends them (`bitrix_tests::php_query`, PHP's
//!   `http_build_query`) and the same events as JSON decode into the same typed payloads: our own
//!   examples always, and every JSON example of the official event pages when `BITRIX_DOCS_DIR`
//!   is set (their encoding checked against hashes of PHP's output,
//!   `tests/fixtures/events/http_build_query.json`);
//! - forged, missing, truncated, oversized, deeply nested and mis-encoded bodies each get their
//!   rejection, and thousands of mangled bodies never panic.

use bitrix_api::__private::lenient;
use bitrix_api::events::{self, EventData, FixedToken, FormMap, FormValue, Limits, Rejection};
use bitrix_api::imbot_v2;
use bitrix_tests::php_query::{http_build_query, http_build_query_with, Spaces};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/events")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn receive(ct: &str, body: &[u8], token: &str) -> Result<events::ReceivedEvent, Rejection> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(events::receive(
        ct,
        body,
        &Limits::default(),
        &FixedToken::new(token),
    ))
}

// ---------------------------------------------------------------------------------------------
// The parser against PHP.

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tree in the fixtures' form: a list of `[hex key, hex value or list]`.
fn canon(m: &FormMap) -> serde_json::Value {
    m.iter()
        .map(|(k, v)| {
            let v = match v {
                FormValue::Str(s) => serde_json::Value::String(hex(s.as_bytes())),
                FormValue::Map(m) => canon(m),
            };
            serde_json::json!([hex(k.as_bytes()), v])
        })
        .collect()
}

fn is_utf8_everywhere(php: &serde_json::Value) -> bool {
    match php {
        serde_json::Value::String(h) => {
            let bytes: Vec<u8> = (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0xff))
                .collect();
            std::str::from_utf8(&bytes).is_ok()
        }
        serde_json::Value::Array(a) => a.iter().all(is_utf8_everywhere),
        _ => true,
    }
}

#[test]
fn the_form_parser_agrees_with_php_parse_str() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(&fixture("parse_str.json")).unwrap();
    assert!(cases.len() > 300, "{} cases", cases.len());
    let (mut same, mut refused) = (0, 0);
    let mut wrong = Vec::new();
    for case in &cases {
        let body = case["body"].as_str().unwrap();
        let php = &case["php"];
        match events::parse_form(body.as_bytes(), &Limits::default()) {
            Ok(m) if canon(&m) == *php => same += 1,
            Ok(m) => wrong.push(format!("{body:?}\n   php: {php}\n  ours: {}", canon(&m))),
            Err(Rejection::MalformedEncoding(_)) => {
                // PHP keeps bytes that are not UTF-8; we refuse the body. The body must hold an
                // escape for a byte outside ASCII.
                let decoded = body.to_ascii_lowercase();
                let high = ["%8", "%9", "%a", "%b", "%c", "%d", "%e", "%f"];
                if high.iter().any(|h| decoded.contains(h)) {
                    refused += 1;
                } else {
                    wrong.push(format!("{body:?}: refused as not UTF-8"));
                }
            }
            Err(e) => wrong.push(format!("{body:?}: {e}")),
        }
        if is_utf8_everywhere(php) {
            continue;
        }
        // PHP kept bytes that are not UTF-8: we must have refused.
        if events::parse_form(body.as_bytes(), &Limits::default()).is_ok() {
            wrong.push(format!(
                "{body:?}: PHP kept non-UTF-8 bytes and we did not refuse"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} differences:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(same > 280 && refused > 0, "same {same}, refused {refused}");
}

// ---------------------------------------------------------------------------------------------
// Typed payloads, from forms and from JSON.

/// `ONIMBOTMESSAGEADD` (chat-bots v1): all text on the wire in both forms, read leniently.
#[derive(Debug, PartialEq, Deserialize)]
struct MessageAddV1 {
    #[serde(rename = "BOT", default, deserialize_with = "lenient")]
    bot: BTreeMap<String, BotV1>,
    #[serde(rename = "PARAMS")]
    params: ParamsV1,
    #[serde(rename = "USER", default)]
    user: Option<UserV1>,
}

impl bitrix_api::__private::Lenient for BotV1 {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        bitrix_api::__private::lenient_object(d)
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct BotV1 {
    #[serde(rename = "BOT_ID", deserialize_with = "lenient")]
    bot_id: i64,
    #[serde(rename = "BOT_CODE")]
    bot_code: String,
    #[serde(default, deserialize_with = "lenient")]
    access_token: Option<String>,
    #[serde(rename = "AUTH", default)]
    auth: Option<BTreeMap<String, String>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct ParamsV1 {
    message: String,
    #[serde(deserialize_with = "lenient")]
    message_id: i64,
    dialog_id: String,
    #[serde(deserialize_with = "lenient")]
    from_user_id: i64,
    #[serde(default, deserialize_with = "lenient")]
    chat_id: Option<i64>,
    #[serde(deserialize_with = "lenient")]
    system: bool,
    message_type: String,
    #[serde(default, deserialize_with = "lenient")]
    mentioned_list: BTreeMap<String, i64>,
    #[serde(default, deserialize_with = "lenient")]
    chat_user_count: Option<i64>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct UserV1 {
    #[serde(deserialize_with = "lenient")]
    id: i64,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    is_bot: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    work_position: Option<String>,
}

/// `ONIMBOTV2*` events that concern a message: the generated result types of `imbot_v2`.
#[derive(Debug, PartialEq, Deserialize)]
struct MessageAddV2 {
    bot: imbot_v2::Bot,
    message: imbot_v2::Message,
    chat: imbot_v2::Chat,
    user: imbot_v2::User,
    #[serde(default)]
    language: Option<String>,
}

/// Any `ONIMBOTV2*` event: the bot, and chat and user when present.
#[derive(Debug, PartialEq, Deserialize)]
struct AnyV2 {
    bot: imbot_v2::Bot,
    #[serde(default)]
    chat: Option<imbot_v2::Chat>,
    #[serde(default)]
    user: Option<imbot_v2::User>,
}

/// `ONAPPINSTALL`.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct AppInstall {
    version: String,
    #[serde(deserialize_with = "lenient")]
    active: bool,
    #[serde(deserialize_with = "lenient")]
    installed: bool,
    language_id: String,
}

/// What PHP's encoding cannot carry, made equal on the JSON side: an empty object is left out,
/// and `false` arrives as `"0"`, which a `string|false` or `boolean|object` field (an untagged
/// enum: it buffers the value, so the lenient boolean reading does not apply) keeps as text.
fn as_sent_by_php(mut v: MessageAddV2) -> MessageAddV2 {
    if v.message
        .params
        .as_ref()
        .is_some_and(|p| p.as_object().is_some_and(|o| o.is_empty()))
    {
        v.message.params = None;
    }
    user_as_sent_by_php(&mut v.user);
    v
}

fn any_as_sent_by_php(mut v: AnyV2) -> AnyV2 {
    if let Some(u) = &mut v.user {
        user_as_sent_by_php(u);
    }
    v
}

fn user_as_sent_by_php(u: &mut imbot_v2::User) {
    use imbot_v2::{UserAbsent, UserIdle, UserLastActivityDate, UserPhones};
    let zero = || "0".to_string();
    if u.idle == Some(UserIdle::Boolean(false)) {
        u.idle = Some(UserIdle::String(zero()));
    }
    if u.absent == Some(UserAbsent::Boolean(false)) {
        u.absent = Some(UserAbsent::String(zero()));
    }
    if u.last_activity_date == Some(UserLastActivityDate::Boolean(false)) {
        u.last_activity_date = Some(UserLastActivityDate::String(zero()));
    }
    if u.phones == Some(UserPhones::Boolean(false)) {
        u.phones = Some(UserPhones::Object(serde_json::Value::String(zero())));
    }
}

/// Decodes an event's data into `T` from its form encoding and from its JSON; both must
/// agree on success, and on the value once `same` has made the JSON side what PHP can send.
fn both_ways<T: for<'a> Deserialize<'a> + PartialEq + std::fmt::Debug>(
    form: &events::ReceivedEvent,
    json: &events::ReceivedEvent,
    same: impl Fn(T) -> T,
) -> Result<(), String> {
    let f = form.decode::<T>();
    let j = json.decode::<T>();
    match (f, j) {
        (Ok(f), Ok(j)) => {
            let j = same(j);
            if f == j {
                Ok(())
            } else {
                Err(format!("form and JSON differ:\n form: {f:?}\n json: {j:?}"))
            }
        }
        (Err(f), Err(_)) => Err(format!("undecodable both ways: {f}")),
        (f, j) => Err(format!("only one way decodes:\n form: {f:?}\n json: {j:?}")),
    }
}

/// Our own ONIMBOTMESSAGEADD, group chat, with one bot.
const OWN_V1: &str = r#"{
  "event": "ONIMBOTMESSAGEADD", "event_handler_id": "17",
  "data": {
    "BOT": {"39": {"access_token": "bot-access-1", "BOT_ID": "39", "BOT_CODE": "helper",
                   "AUTH": {"access_token": "bot-access-1", "domain": "portal.example.com"}}},
    "PARAMS": {"MESSAGE": "Привет, [b]мир[/b] & 你好 + 1%", "MESSAGE_ID": "901", "DIALOG_ID": "chat12",
               "FROM_USER_ID": "4", "CHAT_ID": "12", "SYSTEM": "N", "MESSAGE_TYPE": "C",
               "MENTIONED_LIST": {"39": "39"}, "CHAT_USER_COUNT": "3", "CHAT_ENTITY_ID": ""},
    "USER": {"ID": "4", "NAME": "Ada Lovelace", "IS_BOT": "N", "WORK_POSITION": ""}
  },
  "ts": "1767225600",
  "auth": {"access_token": "user-access-1", "expires": "1767229200", "expires_in": "3600",
           "scope": "imbot", "domain": "portal.example.com", "server_endpoint": "https://oauth.example.com/rest/",
           "status": "L", "client_endpoint": "https://portal.example.com/rest/", "member_id": "m-0042",
           "user_id": "4", "refresh_token": "user-refresh-1", "application_token": "app-token-1"}
}"#;

/// Our own ONIMBOTV2MESSAGEADD, with real types (fetch mode's JSON).
const OWN_V2: &str = r#"{
  "event": "ONIMBOTV2MESSAGEADD",
  "data": {
    "bot": {"id": 39, "code": "helper", "auth": {"access_token": "bot-access-2", "application_token": "app-token-2"}},
    "message": {"id": 77, "chatId": 12, "authorId": 4, "date": "2026-01-01T10:00:00+00:00",
                "text": "line one\nline two: a+b=c?", "isSystem": false, "uuid": "", "forward": null,
                "params": {}, "viewedByOthers": true},
    "chat": {"id": 12, "dialogId": "chat12", "type": "chat", "name": "Team", "owner": 4, "avatar": ""},
    "user": {"id": 4, "active": true, "name": "Ada Lovelace", "bot": false, "idle": false,
             "departments": [1, 5], "phones": false},
    "language": "en"
  },
  "ts": 1767225600,
  "auth": {"domain": "portal.example.com", "member_id": "m-0042", "application_token": "app-token-2"}
}"#;

fn both(json: &str, token: &str) -> (events::ReceivedEvent, events::ReceivedEvent) {
    let body = http_build_query(json).unwrap();
    let form = receive(FORM, body.as_bytes(), token).unwrap_or_else(|e| panic!("{e}\n{body}"));
    let from_json = receive(JSON, json.as_bytes(), token).unwrap();
    (form, from_json)
}

#[test]
fn our_v1_event_decodes_the_same_from_a_form_and_from_json() {
    let (form, json) = both(OWN_V1, "app-token-1");
    assert_eq!(form.event, "ONIMBOTMESSAGEADD");
    assert_eq!(
        (form.event_handler_id, form.ts),
        (Some(17), Some(1767225600))
    );
    assert_eq!(form.auth, json.auth);
    assert_eq!(form.auth.user_id, Some(4));
    assert_eq!(form.auth.member_id.as_deref(), Some("m-0042"));
    assert_eq!(
        form.auth.refresh_token.as_ref().map(|s| s.expose()),
        Some("user-refresh-1")
    );
    both_ways::<MessageAddV1>(&form, &json, |j| j).unwrap();
    let p: MessageAddV1 = form.decode().unwrap();
    assert_eq!(p.params.message, "Привет, [b]мир[/b] & 你好 + 1%");
    assert_eq!(p.params.chat_id, Some(12));
    assert!(!p.params.system);
    assert_eq!(p.params.mentioned_list, BTreeMap::from([("39".into(), 39)]));
    assert_eq!(p.bot["39"].bot_code, "helper");
    assert_eq!(p.user.unwrap().work_position.as_deref(), Some(""));
    // Untyped, the form tree reads like the JSON with every scalar as text.
    let untyped: serde_json::Value = form.decode().unwrap();
    assert_eq!(untyped["PARAMS"]["MESSAGE_ID"], "901");
    // Nothing secret prints.
    let shown = format!("{form:?}{json:?}{}", form.to_json_redacted());
    for secret in [
        "bot-access-1",
        "user-access-1",
        "user-refresh-1",
        "app-token-1",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn our_v2_event_decodes_into_generated_types_from_a_form_and_from_json() {
    let (form, json) = both(OWN_V2, "app-token-2");
    both_ways::<MessageAddV2>(&form, &json, as_sent_by_php).unwrap();
    let v: MessageAddV2 = form.decode().unwrap();
    assert_eq!(
        v.message.text.as_deref(),
        Some("line one\nline two: a+b=c?")
    );
    assert_eq!(v.message.is_system, Some(false));
    assert_eq!(v.message.viewed_by_others, Some(true));
    assert_eq!(v.message.forward, None);
    assert_eq!(v.user.departments, Some(vec![1, 5]));
    assert_eq!(v.chat.owner, Some(4));
    // The same payload from fetch mode: only `data`, as JSON.
    let fetched: serde_json::Value = serde_json::from_str(OWN_V2).unwrap();
    let data = EventData::from(fetched["data"].clone());
    assert_eq!(as_sent_by_php(data.decode::<MessageAddV2>().unwrap()), v);
}

#[test]
fn rfc3986_spaces_and_charset_parameters_are_read_too() {
    let body = http_build_query_with(OWN_V1, Spaces::Percent).unwrap();
    assert!(body.contains("%20") && !body.contains('+'));
    let ev = receive(
        "application/x-www-form-urlencoded; charset=UTF-8",
        body.as_bytes(),
        "app-token-1",
    )
    .unwrap();
    let p: MessageAddV1 = ev.decode().unwrap();
    assert_eq!(p.user.unwrap().name.as_deref(), Some("Ada Lovelace"));
}

#[test]
fn a_payload_error_names_the_field_and_withholds_secrets() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        #[serde(rename = "BOT")]
        bot: BTreeMap<String, WrongBot>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WrongBot {
        access_token: i64,
    }
    let (form, json) = both(OWN_V1, "app-token-1");
    for ev in [&form, &json] {
        let e = ev.decode::<Wrong>().unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(matches!(e, Rejection::Payload(_)));
        assert!(!shown.contains("bot-access-1"), "{shown}");
    }
    let e = form.decode::<Wrong>().unwrap_err().to_string();
    assert!(e.contains("[BOT][39][access_token]"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The official examples.

/// FNV-1a, 64 bits (PHP: `hash('fnv1a64', …)`).
fn fnv1a64(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

const PAGES: [&str; 4] = [
    "api-reference/chat-bots/outdated/messages/events/on-imbot-message-add.md",
    "api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.md",
    "api-reference/chat-bots/chat-bots-v2/imbot.v2/events/event-get.md",
    "api-reference/common/events/on-app-install.md",
];

/// An example of a page, as the envelope JSON our test encodes.
struct Example {
    name: String,
    event: String,
    envelope: String,
}

/// Token our tests put in the envelope around a data-only example.
const WRAP_TOKEN: &str = "wrapped-example-token";

/// The JSON blocks of the event pages: full envelopes as they are, data-only examples wrapped
/// in an envelope named after their section (`## ONIMBOTV2… {#…}`), fetch-mode answers
/// (`result.events[]`) as one envelope per event.
fn examples(docs: &Path) -> Vec<Example> {
    let mut out = Vec::new();
    for page in PAGES {
        let text =
            std::fs::read_to_string(docs.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let mut section = String::new();
        let mut lines = text.lines().enumerate();
        while let Some((n, line)) = lines.next() {
            let t = line.trim_start();
            if let Some(h) = t.strip_prefix("## ") {
                section = h.split_whitespace().next().unwrap_or("").to_string();
            }
            if !t.starts_with("```json") {
                continue;
            }
            let mut block = String::new();
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                block.push_str(l);
                block.push('\n');
            }
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&block) else {
                continue;
            };
            let name = format!("{page}:{}", n + 1);
            let wrap = |event: &str, data: &str| {
                format!(
                    r#"{{"event": "{event}", "data": {data}, "ts": "1", "auth": {{"member_id": "m", "application_token": "{WRAP_TOKEN}"}}}}"#
                )
            };
            if let Some(event) = v.get("event").and_then(|e| e.as_str()) {
                out.push(Example {
                    name,
                    event: event.into(),
                    envelope: block,
                });
            } else if let Some(events) = v.pointer("/result/events").and_then(|e| e.as_array()) {
                for (i, e) in events.iter().enumerate() {
                    let event = e["type"].as_str().unwrap_or("UNKNOWN");
                    out.push(Example {
                        name: format!("{name}#{i}"),
                        event: event.into(),
                        envelope: wrap(event, &e["data"].to_string()),
                    });
                }
            } else if v.get("bot").is_some() {
                let event = if section.starts_with("ONIMBOTV2") {
                    section.as_str()
                } else {
                    "ONIMBOTV2EXAMPLE"
                };
                out.push(Example {
                    name,
                    event: event.into(),
                    envelope: wrap(event, block.trim()),
                });
            }
        }
    }
    out
}

fn docs_dir() -> Option<PathBuf> {
    bitrix_tools::apidocs::dir_from_env().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_docs_event_examples_decode_from_their_form_encoding_and_from_json() {
    let Some(docs) = docs_dir() else { return };
    let hashes: BTreeMap<String, String> =
        serde_json::from_str(&fixture("http_build_query.json")).unwrap();
    let examples = examples(&docs);
    assert!(
        examples.len() >= 10,
        "only {} examples found",
        examples.len()
    );
    let mut problems = Vec::new();
    let mut typed = 0;
    for ex in &examples {
        let body = http_build_query(&ex.envelope).unwrap();
        match hashes.get(&ex.name) {
            Some(h) if *h == fnv1a64(&body) => {}
            Some(_) => problems.push(format!("{}: our encoding differs from PHP's", ex.name)),
            None => problems.push(format!("{}: no PHP hash; regenerate the fixture", ex.name)),
        }
        let v: serde_json::Value = serde_json::from_str(&ex.envelope).unwrap();
        let token = v
            .pointer("/auth/application_token")
            .and_then(|t| t.as_str())
            .unwrap_or("");
        let (form, json) = match (
            receive(FORM, body.as_bytes(), token),
            receive(JSON, ex.envelope.as_bytes(), token),
        ) {
            (Ok(f), Ok(j)) => (f, j),
            (f, j) => {
                problems.push(format!(
                    "{}: not received: {:?} / {:?}",
                    ex.name,
                    f.err(),
                    j.err()
                ));
                continue;
            }
        };
        if form.event != ex.event || json.event != ex.event || form.auth != json.auth {
            problems.push(format!("{}: envelopes differ", ex.name));
        }
        // Every example reads untyped; typed where we have a type.
        if let Err(e) = form.decode::<serde_json::Value>() {
            problems.push(format!("{}: {e}", ex.name));
        }
        let result = match ex.event.as_str() {
            "ONIMBOTMESSAGEADD" => Some(both_ways::<MessageAddV1>(&form, &json, |j| j)),
            "ONAPPINSTALL" => Some(both_ways::<AppInstall>(&form, &json, |j| j)),
            "ONIMBOTV2MESSAGEADD" if json.decode::<MessageAddV2>().is_ok() => {
                Some(both_ways::<MessageAddV2>(&form, &json, as_sent_by_php))
            }
            e if e.starts_with("ONIMBOTV2") && json.decode::<AnyV2>().is_ok() => {
                Some(both_ways::<AnyV2>(&form, &json, any_as_sent_by_php))
            }
            _ => None,
        };
        match result {
            Some(Ok(())) => typed += 1,
            Some(Err(e)) => problems.push(format!("{}: {e}", ex.name)),
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(typed >= 8, "only {typed} examples decoded into a type");
}

/// Writes the envelopes our docs test encodes, for `http_build_query.php` to hash PHP's output:
/// `BITRIX_DOCS_DIR=… EVENT_EXAMPLES_OUT=/tmp/examples.json cargo test -p bitrix-tests --test
/// event_wire -- --ignored dump_docs_examples`, then
/// `php tests/fixtures/events/http_build_query.php /tmp/examples.json > tests/fixtures/events/http_build_query.json`.
#[test]
#[ignore = "regenerates a fixture's input"]
fn dump_docs_examples() {
    let docs = docs_dir().expect("BITRIX_DOCS_DIR");
    let out = std::env::var("EVENT_EXAMPLES_OUT").expect("EVENT_EXAMPLES_OUT");
    let list: Vec<serde_json::Value> = examples(&docs)
        .into_iter()
        .map(|e| serde_json::json!({"name": e.name, "json": e.envelope}))
        .collect();
    std::fs::write(out, serde_json::to_string_pretty(&list).unwrap()).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Rejections.

#[test]
fn each_bad_body_gets_its_rejection() {
    let good = http_build_query(OWN_V1).unwrap();
    assert!(receive(FORM, good.as_bytes(), "app-token-1").is_ok());
    let reject = |ct: &str, body: &[u8]| receive(ct, body, "app-token-1").unwrap_err();

    // Forged and missing tokens.
    let forged = good.replace(
        "application_token%5D=app-token-1",
        "application_token%5D=app-token-2",
    );
    assert_eq!(reject(FORM, forged.as_bytes()), Rejection::WrongToken);
    let longer = good.replace(
        "application_token%5D=app-token-1",
        "application_token%5D=app-token-1x",
    );
    assert_eq!(reject(FORM, longer.as_bytes()), Rejection::WrongToken);
    let missing = good.replace("auth%5Bapplication_token%5D=app-token-1", "");
    assert_eq!(reject(FORM, missing.as_bytes()), Rejection::MissingToken);
    let only_bot_token =
        missing.clone() + "&data%5Bbot%5D%5Bauth%5D%5Bapplication_token%5D=app-token-1";
    assert_eq!(
        reject(FORM, only_bot_token.as_bytes()),
        Rejection::MissingToken
    );
    // Truncated: the token is cut short.
    let cut = &good
        [..good.find("application_token%5D=app-to").unwrap() + "application_token%5D=app-to".len()];
    assert_eq!(reject(FORM, cut.as_bytes()), Rejection::WrongToken);
    assert_eq!(
        reject(FORM, &good.as_bytes()[..20]),
        Rejection::MissingToken
    );
    assert!(matches!(
        reject(JSON, &OWN_V1.as_bytes()[..200]),
        Rejection::MalformedEncoding(_)
    ));
    // Not an event.
    assert_eq!(
        reject(FORM, b"auth%5Bapplication_token%5D=app-token-1"),
        Rejection::NotAnEvent
    );
    assert_eq!(reject(FORM, b""), Rejection::NotAnEvent);
    // Oversized.
    let big = format!("{good}&pad={}", "x".repeat(4 * 1024 * 1024));
    assert!(matches!(
        reject(FORM, big.as_bytes()),
        Rejection::BodyTooLarge { limit: 4194304, .. }
    ));
    // Deeply nested: 100k brackets, closed or not.
    let deep = format!("{good}&data{}=1", "[a]".repeat(100_000));
    assert_eq!(
        reject(FORM, deep.as_bytes()),
        Rejection::NestingTooDeep { limit: 64 }
    );
    let open = format!("{good}&x{}=1", "[".repeat(100_000));
    assert!(
        receive(FORM, open.as_bytes(), "app-token-1").is_ok(),
        "an unclosed [ is part of a name"
    );
    let json_deep = format!("{{\"event\":\"X\",\"data\":{}}}", "[".repeat(100_000));
    assert_eq!(
        reject(JSON, json_deep.as_bytes()),
        Rejection::NestingTooDeep { limit: 64 }
    );
    // Too many fields.
    let many = format!("{good}{}", "&f=1".repeat(5000));
    assert_eq!(
        reject(FORM, many.as_bytes()),
        Rejection::TooManyFields { limit: 5000 }
    );
    // Mis-encoded.
    let latin1 = format!("{good}&data%5BPARAMS%5D%5BMESSAGE%5D=caf%E9");
    assert!(matches!(
        reject(FORM, latin1.as_bytes()),
        Rejection::MalformedEncoding(_)
    ));
    let mut raw = good.clone().into_bytes();
    raw.extend_from_slice(b"&x=\xff");
    assert!(matches!(
        reject(FORM, &raw),
        Rejection::MalformedEncoding(_)
    ));
    assert!(matches!(
        reject("text/plain", good.as_bytes()),
        Rejection::WrongContentType(_)
    ));
    assert!(matches!(
        reject(
            "application/x-www-form-urlencoded; charset=windows-1251",
            good.as_bytes()
        ),
        Rejection::WrongContentType(_)
    ));
    // No rejection quotes a token.
    for r in [
        reject(FORM, forged.as_bytes()),
        reject(FORM, cut.as_bytes()),
    ] {
        let shown = format!("{r} {r:?}");
        assert!(!shown.contains("app-token"), "{shown}");
    }
}

#[test]
fn an_unknown_portal_and_a_failing_registry_are_told_apart() {
    use bitrix_api::events::{AppTokens, LookupError, Portal};
    use bitrix_api::Secret;
    struct Registry;
    impl AppTokens for Registry {
        async fn application_token(
            &self,
            portal: Portal<'_>,
        ) -> Result<Option<Secret>, LookupError> {
            match portal.member_id {
                Some("m-0042") => Ok(Some(Secret::new("app-token-1"))),
                Some("down") => Err("database unavailable".into()),
                _ => Ok(None),
            }
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = |body: String| {
        rt.block_on(events::receive(
            FORM,
            body.as_bytes(),
            &Limits::default(),
            &Registry,
        ))
    };
    let good = http_build_query(OWN_V1).unwrap();
    assert!(run(good.clone()).is_ok());
    assert_eq!(
        run(good.replace("m-0042", "m-0043")).unwrap_err(),
        Rejection::UnknownPortal
    );
    assert!(matches!(
        run(good.replace("m-0042", "down")),
        Err(Rejection::TokenLookup(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// No panics.

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mangle(rng: &mut Rng, good: &[u8]) -> Vec<u8> {
    const SOUP: [&[u8]; 12] = [
        b"[",
        b"]",
        b"[]",
        b"=",
        b"&",
        b"%",
        b"%5B",
        b"%5D",
        b"%00",
        b"%ff",
        b"+",
        b"data[PARAMS][",
    ];
    let mut b = good.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(5) {
            0 => b.truncate(rng.below(b.len() + 1)),
            1 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            2 => {
                let i = rng.below(b.len() + 1);
                let piece = SOUP[rng.below(SOUP.len())];
                b.splice(i..i, piece.iter().copied());
            }
            3 if !b.is_empty() => {
                let i = rng.below(b.len());
                let n = rng.below(8).min(b.len() - i);
                b.drain(i..i + n);
            }
            _ => {
                let i = rng.below(b.len() + 1);
                let piece: Vec<u8> = (0..rng.below(40)).map(|_| SOUP[rng.below(4)][0]).collect();
                b.splice(i..i, piece);
            }
        }
    }
    b
}

#[test]
fn thousands_of_mangled_bodies_never_panic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let tokens = FixedToken::new("app-token-1");
    let limits = Limits::default();
    let mut rng = Rng(0x5eed_2026_1130);
    let inputs = [
        (FORM, http_build_query(OWN_V1).unwrap().into_bytes()),
        (FORM, http_build_query(OWN_V2).unwrap().into_bytes()),
        (JSON, OWN_V1.as_bytes().to_vec()),
        (JSON, OWN_V2.as_bytes().to_vec()),
    ];
    let (mut accepted, mut runs) = (0, 0);
    for round in 0..3000 {
        let (ct, good) = &inputs[round % inputs.len()];
        let body = mangle(&mut rng, good);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let r = rt.block_on(events::receive(ct, &body, &limits, &tokens));
            if let Ok(ev) = &r {
                let _ = ev.decode::<MessageAddV1>();
                let _ = ev.decode::<MessageAddV2>();
                let _ = ev.decode::<serde_json::Value>();
                let _ = format!("{ev:?} {}", ev.to_json_redacted());
            }
            r.is_ok()
        }));
        match outcome {
            Ok(ok) => accepted += usize::from(ok),
            Err(_) => panic!("panicked on {:?}", String::from_utf8_lossy(&body)),
        }
        runs += 1;
    }
    assert_eq!(runs, 3000);
    assert!(
        accepted > 100,
        "only {accepted} mangled bodies were still events: the test is too harsh"
    );
}
