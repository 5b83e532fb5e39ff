//! Every namespace of the spec is wired into `bitrix-api`: a workspace dependency on its
//! generated crate, an optional dependency of the facade, a cargo feature of the module's name
//! that enables it, and a place in `full`; and nothing is wired for a namespace the spec lacks.
//! (The namespace crates and the facade's re-exports are generated; these manifests are not.)

use bitrix_codegen::layout;
use std::collections::BTreeSet;
use std::path::Path;

fn table(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{} parses: {e}", path.display()))
}

#[test]
fn every_namespace_is_a_dependency_and_a_feature_listed_in_full() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let api = bitrix_codegen::Generator::new(root.join("spec"))
        .check()
        .unwrap_or_else(|d| panic!("{}", bitrix_codegen::diag::report(&d)));
    let workspace = table(&root.join("Cargo.toml"));
    let shared = workspace["workspace"]["dependencies"]
        .as_table()
        .expect("[workspace.dependencies]");
    let facade = table(&root.join("bitrix-api/Cargo.toml"));
    let features = facade["features"].as_table().expect("a [features] table");
    let deps = facade["dependencies"].as_table().expect("[dependencies]");
    let full: BTreeSet<&str> = features["full"]
        .as_array()
        .expect("`full` is a list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();

    let mut problems = Vec::new();
    for ns in api.namespaces.keys() {
        let krate = layout::namespace_crate(ns);
        let dir = format!("{}/{ns}", layout::NAMESPACES);
        let path_ok = shared
            .get(&krate)
            .and_then(|d| d.get("path"))
            .and_then(|p| p.as_str())
            == Some(dir.as_str());
        if !path_ok {
            problems.push(format!(
                "Cargo.toml [workspace.dependencies]: {krate} = {{ path = \"{dir}\", version = ... }}"
            ));
        }
        let optional = deps
            .get(&krate)
            .and_then(|d| d.get("optional"))
            .and_then(|o| o.as_bool());
        if optional != Some(true) {
            problems.push(format!(
                "bitrix-api [dependencies]: {krate} = {{ workspace = true, optional = true }}"
            ));
        }
        let enables = features
            .get(ns.as_str())
            .and_then(|f| f.as_array())
            .is_some_and(|f| {
                f.iter()
                    .any(|v| v.as_str() == Some(&format!("dep:{krate}")))
            });
        if !enables {
            problems.push(format!("bitrix-api [features]: {ns} = [\"dep:{krate}\"]"));
        }
        if !full.contains(ns.as_str()) {
            problems.push(format!("bitrix-api [features]: list \"{ns}\" in `full`"));
        }
    }
    // Nothing left behind for a namespace gone from the spec.
    let crates: BTreeSet<String> = api
        .namespaces
        .keys()
        .map(|ns| layout::namespace_crate(ns))
        .collect();
    for name in deps.keys().chain(shared.keys()) {
        let is_namespace = name.starts_with("bitrix-api-") && name != "bitrix-api-runtime";
        if is_namespace && !crates.contains(name) {
            problems.push(format!("{name}: no such namespace in the spec; remove it"));
        }
    }
    for f in &full {
        if !api.namespaces.contains_key(*f) {
            problems.push(format!(
                "bitrix-api [features]: `full` lists {f}, not a namespace"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "wire each namespace in:\n{}",
        problems.join("\n")
    );
}
