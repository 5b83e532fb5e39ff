#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports: build time and generated lines of bitrix-api per feature
# set, and the time of `bitrix-tools check spec`. Uses its own target dir; takes a few minutes.
# Usage: scripts/measure-build.sh [TARGET_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
T="${1:-/tmp/bitrix-bench-target}"
export CARGO_TARGET_DIR="$T" CARGO_TERM_COLOR=never

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

rm -rf "$T"
echo "from scratch (all dependencies), no namespace feature: $(secs cargo build -p bitrix-api --no-default-features) s"
for feats in "--no-default-features" "--no-default-features --features imopenlines" "--features full"; do
  cargo clean -p bitrix-api >/dev/null 2>&1
  t=$(secs cargo build -p bitrix-api $feats)
  out=$(ls -td "$T"/debug/build/bitrix-api-*/out | head -1)
  gen=$(cat "$out"/*.rs | wc -l)
  used=$(cat "$out/common.rs" "$out/namespaces.rs" | wc -l)
  for f in $feats; do case $f in --features|--no-default-features) ;; full) used=$gen ;; *) used=$((used + $(wc -l < "$out/$f.rs"))) ;; esac; done
  echo "bitrix-api crate alone, $feats: ${t} s; generated lines compiled: $used (all files: $gen)"
done
cargo build -q --release -p bitrix-tools
best=999
for i in 1 2 3 4 5; do t=$(secs "$T/release/bitrix-tools" check spec); best=$(echo "if ($t < $best) $t else $best" | bc); done
echo "bitrix-tools check spec (release, best of 5): $best s"
