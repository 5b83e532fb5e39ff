//! `bitrix-codegen`: generates the typed Bitrix24 REST binding from the YAML spec.
//!
//! One entry point, [`Generator`]: it loads the spec ([`spec`] model, [`load`]), validates and
//! lowers it into the [`ir`] (every Rust name decided), emits tokens with `quote!` and formats
//! them with `prettyplease`, writing only files whose content changed. Every problem in the
//! spec comes back as a [`diag::Diagnostic`] naming its file, place and a fix.
//!
//! Writing the generated files into the workspace (what `bitrix-tools generate` does; the code
//! is committed and checked to be current; where each file goes: [`layout`]):
//!
//! ```no_run
//! let generator = bitrix_codegen::Generator::new("spec");
//! match generator.write(".".as_ref()) {
//!     Ok(changed) => println!("{} files written", changed.written.len()),
//!     Err(diags) => eprint!("{}", bitrix_codegen::diag::report(&diags)),
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

#[cfg(feature = "format")]
mod emit;
mod generator;
#[cfg(feature = "format")]
pub mod layout;
mod list_key;
mod lower;
mod names;
mod over;
mod validate;

pub use generator::{FileState, Generator, Outdated, Written};
pub use over::CheckedBase;
