//! Workspace-level tests of bitrix-api live in `tests/tests/`: snapshots of the generated code,
//! spec diagnostics, end-to-end calls against the emulator, docs conformance and no-panic checks.
//! This library target is empty; `build.rs` generates the conformance registry.
