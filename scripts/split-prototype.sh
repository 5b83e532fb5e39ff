#!/usr/bin/env bash
# Writes a throwaway prototype of issue 8's namespace split, for scripts/measure-consumer.sh -s:
# each generated namespace of bitrix-api as a crate of its own (`ns-<module>`), built over
# bitrix-api with no namespace feature (the runtime and the shared generated items). Each crate
# includes the committed file `bitrix-api/src/generated/<module>.rs` unchanged; a small shim at
# its root re-exports the runtime items the generated code names as `crate::…` and copies the
# runtime's `__private` macros. Nothing here is part of the library: doc links between
# namespaces do not resolve, and there is no crate-level `Event` enum. It measures only
# whether compiling the namespaces side by side shortens a consumer's build.
#
# Usage: scripts/split-prototype.sh OUT_DIR [PATH_TO_BITRIX_API_CRATE]
#   then:  scripts/measure-consumer.sh -s OUT_DIR
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
api=$(cd "${2:-$(dirname "$0")/../bitrix-api}" && pwd)
[ -d "$api/src/generated" ] || { echo "no src/generated in $api" >&2; exit 2; }
rm -f "$out/deps.toml"
for file in "$api"/src/generated/*.rs; do
  m=$(basename "$file" .rs)
  case $m in common | namespaces) continue ;; esac
  d="$out/ns-$m"
  rm -rf "$d"
  mkdir -p "$d/src"
  cat >"$d/Cargo.toml" <<TOML
[package]
name = "ns-$m"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
bitrix-api = { path = "$api", default-features = false }
serde = { version = "1", features = ["derive"] }
serde_json = { version = "1", features = ["raw_value"] }
TOML
  # The macros' file without its inner doc comment, which an included file cannot carry.
  sed '/^\/\/!/d' "$api/src/__private/macros.rs" >"$d/src/macros.rs"
  cat >"$d/src/lib.rs" <<RUST
//! Prototype: namespace \`$m\` as a crate of its own (scripts/split-prototype.sh).
#![allow(rustdoc::broken_intra_doc_links)]
pub use bitrix_api::{
    types, ApiError, Client, ErrorDoc, EventPayload, ListEnd, ListMethod, Method, MethodError,
    NoMethodError, Paging, Scope, Secret, SystemError,
};
/// The runtime's support for generated code, with its macros, under the path the code names.
pub mod __private {
    pub use bitrix_api::__private::*;
    mod macros {
        include!("macros.rs");
    }
    #[allow(unused_imports)]
    pub(crate) use macros::{lenient_struct, method_error, wire_enum};
}
#[allow(deprecated)]
pub mod $m {
    include!("$file");
}
RUST
  echo "ns-$m = { path = \"$d\" }" >>"$out/deps.toml"
done
echo "wrote $(wc -l <"$out/deps.toml") namespace crates into $out (deps.toml lists them)"
