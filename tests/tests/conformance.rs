//! Conformance: the spec agrees with the official documentation.
//!
//! For every method of the spec, its page under `BITRIX_DOCS_DIR` must exist, and:
//! - every JSON response example of the page's response section decodes into the method's
//!   generated result type (through the same lenient decoding the client uses);
//! - every documented error code is in the spec file;
//! - every documented param is in the spec file with the same required flag (a param the docs
//!   star but that the spec lists in a `one_of` group counts as agreeing).
//!
//! Names the spec lists under `deviations` (with the reason) are accepted as they are.
//!
//! `.ci/run` sets `BITRIX_DOCS_DIR`; when `CI` is set and it is missing or wrong, the test fails.

use bitrix_codegen::spec::{MethodSpec, Required};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

fn decode<M: bitrix_api::Method>(json: &str) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(json);
    <M::Result as bitrix_api::__private::Lenient>::lenient(&mut de)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn docs_dir() -> Option<PathBuf> {
    bitrix_tools::apidocs::dir_from_env().unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON code blocks of a page's response section (from a heading naming "Response" to the
/// next level-2 heading) that hold a top-level `result`.
fn response_examples(page: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = page.lines().collect();
    let Some(start) = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with("## ") && t.to_ascii_lowercase().contains("response")
    }) else {
        return Vec::new();
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |p| start + 1 + p);
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if lines[i].trim_start().starts_with("```json") {
            let first = i + 1;
            let mut j = first;
            while j < end && !lines[j].trim_start().starts_with("```") {
                j += 1;
            }
            let block = clean(&lines[first..j]);
            if block.contains("\"result\"") {
                out.push((first, block));
            }
            i = j;
        }
        i += 1;
    }
    out
}

/// Drops the `...` and `// comment` lines some examples carry, and trailing commas they leave.
fn clean(lines: &[&str]) -> String {
    let kept: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| {
            let t = l.trim();
            !(t.starts_with("...") || t.starts_with('…') || t.starts_with("//"))
        })
        .collect();
    let text = kept.join("\n");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_str = false;
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if in_str {
            out.push(c);
            if c == '\\' && k + 1 < chars.len() {
                out.push(chars[k + 1]);
                k += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == ',' {
            let next = chars[k + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        k += 1;
    }
    out
}

fn deviates(spec: &MethodSpec, name: &str) -> bool {
    spec.deviations.iter().any(|d| d.name == name)
}

fn in_one_of(spec: &MethodSpec, name: &str) -> bool {
    spec.one_of.iter().any(|g| g.iter().any(|n| n == name))
}

fn required_text(r: Required) -> &'static str {
    match r {
        Required::Yes => "required",
        Required::No => "optional",
        Required::Webhook => "required for webhooks",
    }
}

#[test]
fn spec_agrees_with_the_docs() {
    let Some(dir) = docs_dir() else { return };
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let (set, diags) = bitrix_codegen::load::load_dir(&spec_dir);
    assert!(diags.is_empty(), "{}", bitrix_codegen::diag::report(&diags));
    let docs = bitrix_tools::apidocs::parse_dir(&dir).expect("the docs directory can be read");

    let mut failures = Vec::new();
    let mut examples = 0;
    for (name, loaded) in &set.methods {
        let spec = &loaded.value;
        let Some(facts) = docs.methods.get(name) else {
            failures.push(format!("{name}: no page documents this method"));
            continue;
        };
        for e in &facts.errors {
            if !spec.errors.iter().any(|s| s.code == e.code) && !deviates(spec, &e.code) {
                failures.push(format!(
                    "{name}: documented error {} (page line {}) is missing from the spec",
                    e.code, e.line
                ));
            }
        }
        for p in facts.params.iter().filter(|p| !deviates(spec, &p.name)) {
            match spec.params.iter().find(|s| s.name == p.name) {
                None => failures.push(format!(
                    "{name}: documented param {} (page line {}) is missing from the spec",
                    p.name, p.line
                )),
                Some(s)
                    if s.required != p.required
                        && !(p.required == Required::Yes && in_one_of(spec, &p.name)) =>
                {
                    failures.push(format!(
                        "{name}: param {} is {} in the docs (page line {}) but {} in the spec",
                        p.name,
                        required_text(p.required),
                        p.line,
                        required_text(s.required)
                    ))
                }
                Some(_) => {}
            }
        }
        let page = match std::fs::read_to_string(dir.join(&facts.path)) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: cannot read {}: {e}", facts.path));
                continue;
            }
        };
        for (line, json) in response_examples(&page) {
            examples += 1;
            let envelope: serde_json::Value = match serde_json::from_str(&json) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!(
                        "{name}: the example at {}:{line} is not JSON ({e})",
                        facts.path
                    ));
                    continue;
                }
            };
            let Some(result) = envelope.get("result") else {
                continue;
            };
            match decode_result(name, &result.to_string()) {
                Some(Ok(())) => {}
                Some(Err(e)) => failures.push(format!(
                    "{name}: the example at {}:{line} does not decode: {e}",
                    facts.path
                )),
                None => failures.push(format!("{name}: no generated type (registry out of date)")),
            }
        }
    }
    eprintln!(
        "{} methods, {examples} response examples checked",
        set.methods.len()
    );
    assert!(
        examples >= set.methods.len() / 2,
        "suspiciously few examples found: {examples}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn examples_are_cleaned_but_not_invented() {
    let page = "# X\n## Response Handling\n```json\n{\"result\": [1, 2,\n ...\n],\n // note\n\"time\": {}}\n```\n## Error Handling\n```json\n{\"result\": 3}\n```\n";
    let ex = response_examples(page);
    assert_eq!(ex.len(), 1, "only the response section counts");
    let v: serde_json::Value = serde_json::from_str(&ex[0].1).unwrap();
    assert_eq!(v["result"], serde_json::json!([1, 2]));
}
