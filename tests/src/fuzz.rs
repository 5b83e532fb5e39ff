//! The fuzz harnesses: one function per fuzz target, shared by the `cargo fuzz` targets in
//! `fuzz/` and by `tests/tests/fuzz_corpus.rs`, which runs every saved corpus file through
//! them on the stable toolchain. Each takes raw bytes and panics only on a real defect.
//!
//! To add a target: write `pub fn NAME(data: &[u8])` here, list it in [`TARGETS`], add
//! `fuzz/fuzz_targets/NAME.rs` (three lines, like the others) and its `[[bin]]` in
//! `fuzz/Cargo.toml`, and seed `fuzz/corpus/NAME/` (see `FUZZING.md`).

use bitrix_api::{imbot_v2, imconnector, imopenlines, Method};
use bitrix_codegen::load::SpecSet;
use bitrix_codegen::{CheckedBase, Generator};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A fuzz harness: raw bytes in, a panic only on a real defect.
pub type Harness = fn(&[u8]);

/// Every fuzz target by name, as `fuzz/fuzz_targets/<name>.rs` calls it.
pub const TARGETS: &[(&str, Harness)] = &[
    ("spec_file", spec_file),
    ("answer", answer),
    ("event_body", event_body),
];

/// The shared spec files a fuzzed file is checked beside.
const SHARED: &[(&str, &str)] = &[
    ("scopes.yaml", include_str!("../../spec/scopes.yaml")),
    (
        "common/errors.yaml",
        include_str!("../../spec/common/errors.yaml"),
    ),
    (
        "common/types.yaml",
        include_str!("../../spec/common/types.yaml"),
    ),
];

/// The named types of each module (every file of `spec/types/`, in name order), added when
/// the fuzzed method is in that module (a types file of a module without methods is itself an
/// error).
const MODULE_TYPES: &[(&str, &str)] = &[
    ("event", include_str!("../../spec/types/event.yaml")),
    ("im", include_str!("../../spec/types/im.yaml")),
    ("im_v2", include_str!("../../spec/types/im_v2.yaml")),
    ("imbot", include_str!("../../spec/types/imbot.yaml")),
    ("imbot_v2", include_str!("../../spec/types/imbot_v2.yaml")),
    (
        "imconnector",
        include_str!("../../spec/types/imconnector.yaml"),
    ),
    (
        "imopenlines",
        include_str!("../../spec/types/imopenlines.yaml"),
    ),
    ("user", include_str!("../../spec/types/user.yaml")),
];

/// The namespace module of a method, by the rule of `docs/spec-format.md` (first segment,
/// plus a `vN` second segment).
fn module_of(method: &str) -> String {
    let segs: Vec<&str> = method.split('.').collect();
    match segs.as_slice() {
        [first, v, _, ..]
            if v.len() > 1 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{first}_{v}")
        }
        [first, ..] => first.to_string(),
        [] => String::new(),
    }
}

/// Where a fuzzed spec file goes, and its text: a first line `#@ <path>` names a shared file
/// to replace (`#@ common/types.yaml`); otherwise it is a method file, named after its
/// `method:` line so that a valid one can pass the whole check.
fn spec_path(text: &str) -> (String, &str) {
    if let Some(rest) = text.strip_prefix("#@ ") {
        let (first, body) = rest.split_once('\n').unwrap_or((rest, ""));
        return (first.trim().to_string(), body);
    }
    let method = text
        .lines()
        .find_map(|l| l.strip_prefix("method:"))
        .map(|m| m.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|m| !m.is_empty() && !m.contains(['/', '\\']) && m.len() < 200)
        .unwrap_or("x");
    (format!("methods/{method}.yaml"), text)
}

/// The spec directory name the harness checks under (diagnostics name it).
const SPEC_DIR: &str = "spec";

/// The shared files, loaded and checked once per process ([`CheckedBase`]), and the same
/// with each module's named types: key `""` holds only [`SHARED`], key `imbot` adds
/// `types/imbot.yaml`, and so on. Parsing, validating and lowering them was most of an
/// execution's time.
fn bases() -> &'static BTreeMap<&'static str, CheckedBase> {
    static BASES: OnceLock<BTreeMap<&'static str, CheckedBase>> = OnceLock::new();
    BASES.get_or_init(|| {
        let generator = Generator::new(SPEC_DIR);
        let (shared, diags) = generator.load_over(SpecSet::default(), SHARED.iter().copied());
        assert!(diags.is_empty(), "the shared spec files load: {diags:?}");
        let mut bases = BTreeMap::new();
        for (module, text) in MODULE_TYPES {
            let path = format!("types/{module}.yaml");
            let (set, diags) = generator.load_over(shared.clone(), [(path, *text)]);
            assert!(diags.is_empty(), "types/{module}.yaml loads: {diags:?}");
            bases.insert(*module, CheckedBase::new(set));
        }
        bases.insert("", CheckedBase::new(shared));
        bases
    })
}

/// Target `spec_file`: one spec file, given as text, checked with the real shared files
/// (loaded and checked once per process) through [`Generator::check_over`], which gives what
/// [`Generator::load_over`] and [`Generator::check_loaded`] give, as
/// [`Generator::check_sources`] checks a directory (a shared file, `#@ <path>`, gets that full
/// check). The checker must never panic, and what the file feeds (its method, or the shared
/// items) must render into Rust that parses whenever the checker accepts it.
pub fn spec_file(data: &[u8]) {
    let _ = spec_file_laps(data, &mut |_| {});
}

/// [`spec_file`], calling `lap` with the name of each phase as it ends (`check`, which
/// loads the file too, and `render`), for the timing loop `tests/tests/fuzz_speed.rs`; tells whether the checker
/// accepted the file.
pub fn spec_file_laps(data: &[u8], lap: &mut dyn FnMut(&'static str)) -> bool {
    let text = String::from_utf8_lossy(data);
    let (path, body) = spec_path(&text);
    let method = path
        .strip_prefix("methods/")
        .and_then(|p| p.strip_suffix(".yaml"));
    let module = method.map(module_of).unwrap_or_default();
    let bases = bases();
    let base = bases.get(module.as_str()).unwrap_or(&bases[""]);
    let generator = Generator::new(SPEC_DIR);
    let checked = generator.check_over(base, [(path.as_str(), body)]);
    lap("check");
    let Ok(api) = checked else {
        return false;
    };
    // What the fuzzed file feeds must come out as Rust that parses: its method, or the shared
    // items and named types. Parsing is the check; formatting it (prettyplease) added nothing.
    let mut parsed = Vec::new();
    if let Some(wire) = method {
        parsed.extend(bitrix_codegen::render::method_parses(&api, wire));
    } else {
        parsed.push(bitrix_codegen::render::common_parses(&api));
        for ns in api.namespaces.keys() {
            parsed.extend(bitrix_codegen::render::module_types(&api, ns).map(|r| r.map(drop)));
        }
    }
    for r in parsed {
        if let Err(e) = r {
            panic!("the checker accepted a spec that does not render: {e}");
        }
    }
    lap("render");
    true
}

/// Splits an answer input: an optional first line of three digits is the HTTP status
/// (default 200); the rest is the body.
fn status_and_body(data: &[u8]) -> (u16, &[u8]) {
    match data {
        [a, b, c, b'\n', rest @ ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
            let status = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
            (status, rest)
        }
        _ => (200, data),
    }
}

/// Decodes `body` as an answer of `M`; only a panic is a failure.
fn decode<M: Method>(status: u16, body: &[u8]) {
    let _ = bitrix_api::decode_answer::<M>(status, body);
}

/// Target `answer`: a server answer (status and body) decoded with
/// [`bitrix_api::decode_answer`] for methods whose results are rich (nested objects, maps,
/// lists, lenient booleans, unions, errors inside the result).
pub fn answer(data: &[u8]) {
    let (status, body) = status_and_body(data);
    decode::<imopenlines::DialogGet>(status, body);
    decode::<imopenlines::CrmChatGet>(status, body);
    decode::<imopenlines::ConfigGet>(status, body);
    decode::<imopenlines::SessionHistoryGet>(status, body);
    decode::<imbot_v2::ChatMessageGet>(status, body);
    decode::<imbot_v2::BotList>(status, body);
    decode::<imbot_v2::ChatGet>(status, body);
    decode::<imconnector::Register>(status, body);
}

/// Target `event_body`: a body a portal (or anyone) POSTs to an event handler. The first byte
/// picks the content type (even: `application/x-www-form-urlencoded`, odd: `application/json`),
/// the rest is the body. It goes through everything a handler runs: [`bitrix_api::events::parse`]
/// (PHP `parse_str` rules, limits), the application-token check, and the typed decode into
/// [`bitrix_api::Event`]; a rejection is rendered as a handler would log it. None may panic.
pub fn event_body(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let content_type = if kind % 2 == 0 {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let limits = bitrix_api::events::Limits::default();
    let expected = bitrix_api::Secret::new("fuzz-app-token");
    let outcome = bitrix_api::events::parse(content_type, body, &limits)
        .and_then(|unverified| unverified.verify(Some(&expected)))
        .and_then(|received| {
            received
                .typed::<bitrix_api::Event>()
                .map(|event| (received, event))
        });
    match outcome {
        Ok((received, event)) => {
            let _ = (event.name().len(), format!("{received:?}"));
        }
        Err(rejection) => {
            let _ = rejection.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(data: &[u8]) -> bool {
        spec_file_laps(data, &mut |_| {})
    }

    #[test]
    fn inputs_are_split_as_documented() {
        assert_eq!(status_and_body(b"400\n{}"), (400, &b"{}"[..]));
        assert_eq!(status_and_body(b"{}"), (200, &b"{}"[..]));
        assert_eq!(spec_path("#@ scopes.yaml\nscopes: {}").0, "scopes.yaml");
        assert_eq!(spec_path("method: a.b\n").0, "methods/a.b.yaml");
        assert_eq!(spec_path("method: ../x\n").0, "methods/x.yaml");
    }

    /// Every module's types file is in [`MODULE_TYPES`], so a fuzzed method of any module is
    /// checked beside its named types.
    #[test]
    fn every_module_types_file_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/types");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().ok()?;
                Some(name.strip_suffix(".yaml")?.to_string())
            })
            .collect();
        on_disk.sort();
        let listed: Vec<String> = MODULE_TYPES.iter().map(|(m, _)| m.to_string()).collect();
        assert_eq!(on_disk, listed);
    }

    /// Real method files pass the whole check (so the render step is reached), in every
    /// module with named types.
    #[test]
    fn real_method_files_pass_and_render() {
        for text in [
            &include_bytes!("../../spec/methods/imopenlines.dialog.get.yaml")[..],
            &include_bytes!("../../spec/methods/imbot.v2.Bot.register.yaml")[..],
            &include_bytes!("../../spec/methods/imbot.register.yaml")[..],
        ] {
            assert!(passes(text));
        }
        assert!(!passes(b"method: a.b\n"));
        // A fuzzed shared file replaces the one loaded once, whether it loads or not.
        let scopes = include_str!("../../spec/scopes.yaml");
        assert!(passes(format!("#@ scopes.yaml\n{scopes}").as_bytes()));
        assert!(!passes(b"#@ scopes.yaml\nscopes: ["));
        // …and the base stays as it was for the next input.
        assert!(passes(include_bytes!(
            "../../spec/methods/imopenlines.dialog.get.yaml"
        )));
        assert_eq!(module_of("imbot.v2.Bot.list"), "imbot_v2");
        assert_eq!(module_of("imbot.v2"), "imbot");
    }
}
