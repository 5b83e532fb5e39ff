//! First checks that the committed generated code (the namespace crates, the runtime's and the
//! facade's generated files; `bitrix_codegen::layout`) is what the spec generates, and stops
//! the build with the command that brings it up to date when it is not. Then generates, from the spec's IR:
//! - `registry.rs`, the conformance registry: for every spec method, a function that decodes a
//!   JSON `result` into the method's generated result type;
//! - `calls.rs` (see `build/calls.rs`): for every spec method, a typed call with its required
//!   params, for the test that calls every method against the emulator.

#[path = "build/calls.rs"]
mod calls;

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let spec = manifest.join("../spec");
    let api = bitrix_codegen::Generator::new(&spec).check_in_build_script();
    generated_is_current(&spec, &manifest.join(".."));
    let mut arms = String::new();
    for ns in api.namespaces.values() {
        for m in &ns.methods {
            arms.push_str(&format!(
                "        {:?} => Some(decode::<bitrix_api::{}::{}>(json)),\n",
                m.wire, ns.module, m.struct_name
            ));
        }
    }
    let code = format!(
        "/// Decodes `json` as the `result` of `method`; `None` for a method the spec lacks.\n\
         #[allow(deprecated)]\n\
         pub fn decode_result(method: &str, json: &str) -> Option<Result<(), String>> {{\n    match method {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    write(&out.join("registry.rs"), &code);
    write(&out.join("calls.rs"), &calls::generate(&api));
    list_fixture(&manifest, &out);
}

/// Stops the build when the workspace at `root` does not hold what the spec generates: a spec
/// change must come with its generated code, which is never edited by hand.
fn generated_is_current(spec: &std::path::Path, root: &std::path::Path) {
    for dir in bitrix_codegen::layout::folders() {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let stale = bitrix_codegen::Generator::new(spec)
        .outdated(root)
        .unwrap_or_else(|diags| {
            eprintln!("error:\n{}", bitrix_codegen::diag::report(&diags));
            std::process::exit(1)
        });
    if !stale.is_empty() {
        eprintln!(
            "error: the committed generated code is out of date with spec/ \
             (it is never edited by hand); run `cargo run -p bitrix-tools -- generate` and \
             review the diff:"
        );
        for file in &stale {
            eprintln!("  {file}");
        }
        std::process::exit(1);
    }
}

/// Generates the methods of `fixtures/lists` (list methods no spec method is yet) into
/// `list_fixture.rs`, for `tests/list_generated.rs` to compile and run at its root (the root
/// of each method's crate, which its `crate::` paths name; the fixture's names do not clash).
fn list_fixture(manifest: &std::path::Path, out: &std::path::Path) {
    let spec = manifest.join("fixtures/lists");
    let api = bitrix_codegen::Generator::new(&spec).check_in_build_script();
    let mut code = String::new();
    for ns in api.namespaces.values() {
        for m in &ns.methods {
            match bitrix_codegen::render::method(&api, &m.wire) {
                Some(Ok(text)) => code.push_str(&text),
                _ => {
                    eprintln!("error: {} does not render", m.wire);
                    std::process::exit(1);
                }
            }
        }
    }
    write(&out.join("list_fixture.rs"), &code);
}

fn write(path: &std::path::Path, code: &str) {
    if let Err(e) = bitrix_codegen::render::write_if_changed(path, code) {
        eprintln!("error: cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
