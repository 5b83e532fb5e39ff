//! Generates the typed API from `spec/` (a link to the workspace's spec) into `OUT_DIR`:
//! the shared items, and the namespaces whose cargo features are on.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec = manifest.join("spec");
    println!("cargo:rerun-if-changed={}", spec.display());
    let generator = bitrix_codegen::Generator::new(spec).namespaces_from_cargo_features();
    if let Err(diags) = generator.write(&out) {
        eprintln!(
            "error: the spec has problems (run `cargo run -p bitrix-tools -- check spec` for this list):\n{}",
            bitrix_codegen::diag::report(&diags)
        );
        std::process::exit(1);
    }
}
