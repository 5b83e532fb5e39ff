//! Workspace-level tests of bitrix-api live in `tests/tests/`: snapshots of the generated code,
//! spec diagnostics, end-to-end calls against the emulator, docs conformance and no-panic checks.
//! This library holds [`php_query`], a PHP-rules form encoder for the event tests, and the fuzz
//! harnesses ([`fuzz`]), shared with the `cargo fuzz` targets in `fuzz/`; `build.rs` generates
//! the conformance registry.

pub mod fuzz;
/// The PHP `http_build_query` encoder, shared with the emulator's event deliveries.
pub use bitrix_emulator::php_query;
