//! Every saved fuzz corpus file (`fuzz/corpus/<target>/`) runs through the same harness as its
//! fuzz target, on the stable toolchain: CI replays the corpora without running the fuzzers.

use std::path::Path;

#[test]
fn every_corpus_file_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (name, harness) in bitrix_tests::fuzz::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: the corpus is empty");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if std::panic::catch_unwind(|| harness(&data)).is_err() {
                panic!("{name}: {} fails", file.display());
            }
        }
    }
}

/// Every fuzz target has a harness, and every harness a fuzz target.
#[test]
fn every_target_is_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = bitrix_tests::fuzz::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

/// The `event_body` seeds are real deliveries (form and JSON, our own values): each reaches the
/// typed decode, so the fuzzer starts from the deep path, not from rejections.
#[test]
fn event_body_seeds_reach_the_typed_decode() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/event_body");
    let limits = bitrix_api::events::Limits::default();
    let token = bitrix_api::Secret::new("fuzz-app-token");
    let mut typed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("form") || name.starts_with("json")) {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let ct = if data[0] % 2 == 0 {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        let event = bitrix_api::events::parse(ct, &data[1..], &limits)
            .and_then(|u| u.verify(Some(&token)))
            .and_then(|r| r.typed::<bitrix_api::Event>())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!event.name().is_empty());
        typed += 1;
    }
    assert!(typed >= 10, "only {typed} seeds decoded");
}
