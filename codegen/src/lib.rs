//! `bitrix-codegen`: generates the typed Bitrix24 REST binding from the YAML spec.
//!
//! The pipeline, one module per stage: [`load`] (YAML → [`spec`] model) → [`validate`]
//! → [`lower`] (→ [`ir`], every Rust name decided) → [`emit`] (`quote!` tokens) →
//! [`render`] (`prettyplease`, files written only when changed).
//!
//! From a `build.rs`:
//!
//! ```no_run
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
//! if let Err(diags) = bitrix_codegen::generate(std::path::Path::new("spec"), &out) {
//!     eprint!("{}", bitrix_codegen::diag::report(&diags));
//!     std::process::exit(1);
//! }
//! ```

pub mod diag;
pub mod docs;
pub mod drift;
pub mod emit;
pub mod import;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod render;
pub mod spec;
pub mod validate;

pub use render::generate;

use diag::Diagnostic;
use std::path::Path;

/// Loads, validates and lowers a spec directory; every problem found is returned together.
pub fn check_dir(dir: &Path) -> Result<ir::Api, Vec<Diagnostic>> {
    let (set, mut diags) = load::load_dir(dir);
    diags.extend(validate::validate(&set));
    let (api, lower_diags) = lower::lower(&set);
    diags.extend(lower_diags);
    if diags.is_empty() {
        Ok(api)
    } else {
        diags.sort();
        diags.dedup();
        Err(diags)
    }
}
