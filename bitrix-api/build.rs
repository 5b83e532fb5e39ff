//! Generates the typed API from `spec/` (a link to the workspace's spec) into `OUT_DIR`.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec = manifest.join("spec");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    let api = match bitrix_codegen::check_dir(&spec) {
        Ok(api) => api,
        Err(diags) => fail(&format!(
            "the spec has problems (run `cargo run -p bitrix-codegen -- check spec` for this list):\n{}",
            bitrix_codegen::diag::report(&diags)
        )),
    };
    check_features(
        &manifest.join("Cargo.toml"),
        api.namespaces.keys().map(String::as_str),
    );
    if let Err(e) = bitrix_codegen::render::write_all(&api, &out) {
        fail(&e);
    }
}

/// Every namespace needs a cargo feature of its name, and `full` must enable it.
fn check_features<'a>(manifest: &Path, namespaces: impl Iterator<Item = &'a str>) {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    // The [features] table, up to the next table header (cargo may normalise arrays over lines).
    let section = text.split("\n[features]").nth(1).unwrap_or("");
    let section = section.split("\n[").next().unwrap_or("");
    let features: Vec<&str> = section.lines().collect();
    let full = section
        .split_once("\nfull")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(value, _)| value)
        .unwrap_or("");
    let mut missing = Vec::new();
    for ns in namespaces {
        let declared = features
            .iter()
            .any(|l| l.split('=').next().map(str::trim) == Some(ns));
        if !declared || !full.contains(&format!("\"{ns}\"")) {
            missing.push(ns.to_string());
        }
    }
    if !missing.is_empty() {
        fail(&format!(
            "bitrix-api/Cargo.toml [features]: add `NAME = []` and list \"NAME\" in `full` for each new namespace: {}",
            missing.join(", ")
        ));
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}
