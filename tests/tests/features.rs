//! Every namespace of the spec has a cargo feature of its name in `bitrix-api`, and `full`
//! enables it. (`bitrix-api/build.rs` generates only the namespaces whose features are on, so a
//! namespace without a feature would silently never be built.)

use std::path::Path;

#[test]
fn every_namespace_has_a_feature_listed_in_full() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let api = bitrix_codegen::Generator::new(root.join("spec"))
        .check()
        .unwrap_or_else(|d| panic!("{}", bitrix_codegen::diag::report(&d)));
    let manifest = std::fs::read_to_string(root.join("bitrix-api/Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().expect("bitrix-api/Cargo.toml parses");
    let features = manifest["features"].as_table().expect("a [features] table");
    let full: Vec<&str> = features["full"]
        .as_array()
        .expect("`full` is a list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let mut missing = Vec::new();
    for ns in api.namespaces.keys() {
        if !features.contains_key(ns.as_str()) || !full.contains(&ns.as_str()) {
            missing.push(ns.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "bitrix-api/Cargo.toml [features]: add `NAME = []` and list \"NAME\" in `full` for: {missing:?}"
    );
}
