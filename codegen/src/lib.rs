//! `bitrix-codegen`: generates the typed Bitrix24 REST binding from the YAML spec.
//!
//! One entry point, [`Generator`]: it loads the spec ([`spec`] model, [`load`]), validates and
//! lowers it into the [`ir`] (every Rust name decided), emits tokens with `quote!` and formats
//! them with `prettyplease`, writing only files whose content changed. Every problem in the
//! spec comes back as a [`diag::Diagnostic`] naming its file, place and a fix.
//!
//! From a `build.rs`:
//!
//! ```no_run
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
//! let generator = bitrix_codegen::Generator::new("spec");
//! if let Err(diags) = generator.write(&out) {
//!     eprint!("{}", bitrix_codegen::diag::report(&diags));
//!     std::process::exit(1);
//! }
//! ```
//!
//! [`example`] checks a spec `result.example` against the result type and builds an example
//! result from the type; the emulator's and the tests' build scripts use it with the IR.
//!
//! The docs parser, `drift` and `import` live in the `bitrix-tools` crate, which builds on
//! this one; a build of `bitrix-api` never compiles them.

pub mod diag;
pub mod example;
pub mod ir;
pub mod load;
pub mod render;
pub mod spec;

mod emit;
mod generator;
mod list_key;
mod lower;
mod names;
mod over;
mod validate;

pub use generator::Generator;
pub use over::CheckedBase;
