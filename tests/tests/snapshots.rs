//! Snapshots of the generated code: one per spec method, event and module's named types, so
//! that any change to the spec (or to the generator) is reviewed method by method as a
//! readable diff (`cargo insta review`). The shared items (the runtime's `common.rs`), the
//! facade's re-exports (`namespaces.rs`) and the namespace crates' roots and manifests have no
//! snapshot: they are committed as they are generated, and `tests/build.rs` holds them current.

use std::collections::BTreeSet;
use std::path::Path;

fn api() -> bitrix_codegen::ir::Api {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    match bitrix_codegen::Generator::new(&spec).check() {
        Ok(api) => api,
        Err(d) => panic!(
            "the spec has problems:\n{}",
            bitrix_codegen::diag::report(&d)
        ),
    }
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots/generated");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// One snapshot per method, named after it.
#[test]
fn every_method() {
    let api = api();
    let _guard = settings().bind_to_scope();
    let mut failures = Vec::new();
    for ns in api.namespaces.values() {
        for m in &ns.methods {
            let code = bitrix_codegen::render::method(&api, &m.wire)
                .unwrap()
                .unwrap();
            // Collect every mismatch instead of stopping at the first.
            let wire = m.wire.clone();
            if std::panic::catch_unwind(move || insta::assert_snapshot!(wire.as_str(), code))
                .is_err()
            {
                failures.push(m.wire.clone());
            }
        }
    }
    assert!(failures.is_empty(), "snapshots differ for: {failures:?}");
}

/// One snapshot per event, named `event.<EVENT>`.
#[test]
fn every_event() {
    let api = api();
    let _guard = settings().bind_to_scope();
    for ns in api.namespaces.values() {
        for e in &ns.events {
            let code = bitrix_codegen::render::event(&api, &e.wire)
                .unwrap()
                .unwrap();
            insta::assert_snapshot!(format!("event.{}", e.wire), code);
        }
    }
}

/// The named types of each namespace module (`spec/types/<module>.yaml`).
#[test]
fn module_types() {
    let api = api();
    let _guard = settings().bind_to_scope();
    for module in api.namespaces.keys() {
        if let Some(code) = bitrix_codegen::render::module_types(&api, module) {
            insta::assert_snapshot!(format!("types.{module}"), code.unwrap());
        }
    }
}

/// No snapshot is left behind for a method that is gone from the spec.
#[test]
fn no_orphan_snapshots() {
    let api = api();
    let mut expected: BTreeSet<String> = api
        .namespaces
        .values()
        .flat_map(|ns| ns.methods.iter().map(|m| format!("{}.snap", m.wire)))
        .collect();
    expected.extend(
        api.namespaces
            .values()
            .flat_map(|ns| ns.events.iter().map(|e| format!("event.{}.snap", e.wire))),
    );
    expected.extend(
        api.namespaces
            .values()
            .filter(|ns| !ns.types.is_empty())
            .map(|ns| format!("types.{}.snap", ns.module)),
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/generated");
    let orphans: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".snap") && !expected.contains(n))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        orphans.is_empty(),
        "delete snapshots of removed methods: {orphans:?}"
    );
}
