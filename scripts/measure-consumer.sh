#!/usr/bin/env bash
# Measures what a user pays to add bitrix-api: the clean debug build of a consumer crate against a
# baseline crate with the same reqwest, tokio, serde and serde_json (same versions and features,
# read from the manifest of bitrix-api's runtime, or of bitrix-api itself before the runtime was
# a crate of its own) and no bitrix-api; and, when bitrix-api hands reqwest its own
# TLS provider (reqwest 0.13 with `rustls-no-provider`), the same rustls and
# rustls-platform-verifier, without which the baseline could not speak https.
#
# Crates, written to a temp dir (each built in its own fresh CARGO_TARGET_DIR, every run):
#   baseline     reqwest + tokio + serde + serde_json (+ rustls, rustls-platform-verifier), as
#                bitrix-api (its runtime) declares them
#   imopenlines  bitrix-api by path, default-features = false, features = ["imopenlines"]
#   full         bitrix-api by path, default-features = false, features = ["full"]
# Every crate starts from a copy of the measured workspace's Cargo.lock, so all three build the
# same versions. Runs are paired (baseline, imopenlines, full, then again) so that load from other
# work on the machine hits each crate alike; read the ratios rather than the seconds.
#
# Prints each run's wall time, the median per crate, the ratios (median of the per-run ratios,
# and ratio of the medians), and from the `cargo build --timings` report of run 1 the units the
# consumer builds beyond the baseline: bitrix-api's crates (and, for a checkout from before the
# generated code was committed, its build script and bitrix-codegen) and any dependency the
# baseline does not already have.
#
# Usage: scripts/measure-consumer.sh [-n RUNS] [-k] [PATH_TO_BITRIX_API_CRATE]
#   -n RUNS   paired runs (default 3)
#   -k        keep the temp dir (its path is printed)
#   PATH      the bitrix-api crate directory (default: this checkout's bitrix-api); pass an older
#             commit's checkout (git worktree add /tmp/old <commit>) to measure it the same way.
# Needs: cargo, python3. Downloads crates once (cargo fetch) unless CARGO_NET_OFFLINE=true and they
# are cached. Takes 3 clean builds per run: minutes on a small machine.
set -euo pipefail

runs=3
keep=0
while getopts "n:k" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,30p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
api=$(cd "${1:-$(dirname "$0")/../bitrix-api}" && pwd)
[ -f "$api/Cargo.toml" ] || { echo "no Cargo.toml in $api" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bitrix-consumer.XXXXXX")
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; else echo "temp dir: $work"; fi
export CARGO_TERM_COLOR=never
# The consumers reach bitrix-api by path, and cargo compiles path dependencies incrementally,
# which a registry dependency never is (a first incremental build costs about a quarter more):
# turn it off so that bitrix-api is compiled as a user who depends on the published crate
# compiles it. The baseline's crates all come from the registry, so it does not change them.
# INCREMENTAL=1 in the environment keeps cargo's default instead.
if [ "${INCREMENTAL:-0}" = 1 ]; then unset CARGO_INCREMENTAL; else export CARGO_INCREMENTAL=0; fi

# The shared dependencies as bitrix-api's runtime declares them (workspace inheritance
# resolved); before the split, bitrix-api's own.
runtime="$api/../runtime"
[ -f "$runtime/Cargo.toml" ] || runtime="$api"
cargo metadata --format-version 1 --no-deps --manifest-path "$api/Cargo.toml" >"$work/meta.json"
python3 - "$work/meta.json" "$runtime" >"$work/shared.toml" <<'EOF'
import json, sys, os
meta = json.load(open(sys.argv[1]))
manifest = os.path.join(sys.argv[2], "Cargo.toml")
pkg = next(p for p in meta["packages"] if os.path.samefile(p["manifest_path"], manifest))
deps = {d["name"]: d for d in pkg["dependencies"] if d["kind"] is None}
# reqwest's TLS provider too, when bitrix-api hands reqwest its own (reqwest 0.13 with
# `rustls-no-provider` cannot speak https alone): a user's HTTPS client needs one either way.
for name in ("reqwest", "tokio", "serde", "serde_json", "rustls", "rustls-platform-verifier"):
    if name not in deps:
        continue
    d = deps[name]
    feats = ", ".join(f'"{f}"' for f in sorted(d["features"]))
    print(f'{name} = {{ version = "{d["req"]}", default-features = {str(d["uses_default_features"]).lower()}, features = [{feats}] }}')
EOF
lock="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["workspace_root"])' "$work/meta.json")/Cargo.lock"

crate() { # name, [dependencies] lines, lib.rs
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s\n' \
    "consumer-$1" "$2" >"$work/$1/Cargo.toml"
  printf '%s\n' "$3" >"$work/$1/src/lib.rs"
  [ -f "$lock" ] && cp "$lock" "$work/$1/Cargo.lock"
  (cd "$work/$1" && cargo fetch -q)
}
crate baseline "$(cat "$work/shared.toml")" \
  "pub use reqwest; pub use serde; pub use serde_json; pub use tokio; $(grep -q '^rustls' "$work/shared.toml" && echo 'pub use rustls; pub use rustls_platform_verifier;')"
# The consumers measured against the baseline: `imopenlines` and `full`.
consumers="imopenlines full"
crate imopenlines "bitrix-api = { path = \"$api\", default-features = false, features = [\"imopenlines\"] }" \
  "pub use bitrix_api;"
crate full "bitrix-api = { path = \"$api\", default-features = false, features = [\"full\"] }" \
  "pub use bitrix_api;"

echo "bitrix-api: $api ($(git -C "$api" rev-parse --short HEAD 2>/dev/null || echo "not a git checkout"))"
echo "shared dependencies:"; sed 's/^/  /' "$work/shared.toml"
echo "$(cargo --version), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
for i in $(seq 1 "$runs"); do
  for c in baseline $consumers; do
    t="$work/target-$c-$i"
    rm -rf "$t"
    s=$(now)
    (cd "$work/$c" && CARGO_TARGET_DIR="$t" cargo build -q --timings 2>"$work/log-$c-$i") ||
      { cat "$work/log-$c-$i" >&2; exit 1; }
    e=$(now)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f\n", e - s }' >"$work/time-$c-$i"
    cp "$t/cargo-timings/cargo-timing.html" "$work/timing-$c-$i.html"
    [ "$i" = 1 ] || rm -rf "$t" # keep run 1's target dirs for the timing report only
    echo "run $i: $c $(cat "$work/time-$c-$i") s"
  done
done

python3 - "$work" "$runs" $consumers <<'EOF'
import json, re, statistics, sys
from collections import Counter
work, runs, consumers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
t = {c: [float(open(f"{work}/time-{c}-{i}").read()) for i in range(1, runs + 1)]
     for c in ["baseline"] + consumers}
print()
for c, xs in t.items():
    print(f"{c:12} " + "  ".join(f"{x:6.2f}" for x in xs) + f"   median {statistics.median(xs):6.2f} s")
for c in consumers:
    pair = [a / b for a, b in zip(t[c], t["baseline"])]
    print(f"ratio {c:12} per run " + "  ".join(f"{r:.2f}" for r in pair)
          + f"   median {statistics.median(pair):.2f}x"
          + f"   (ratio of medians {statistics.median(t[c]) / statistics.median(t['baseline']):.2f}x)")

def units(c):
    html = open(f"{work}/timing-{c}-1.html").read()
    data = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
    return [(u["name"], u["version"], u["target"].strip(), ",".join(sorted(u["features"])),
             u["duration"]) for u in data]

base = Counter(u[:4] for u in units("baseline"))
for c in consumers:
    extra = []
    for u in units(c):
        if base[u[:4]] > 0:
            base[u[:4]] -= 1
        else:
            extra.append(u)
    base = Counter(u[:4] for u in units("baseline"))
    extra.sort(key=lambda u: -u[4])
    print(f"\n{c}: units beyond the baseline (run 1, `cargo build --timings`; seconds per unit,")
    print("they overlap on several cores, so the sum exceeds the wall-time difference):")
    for name, ver, target, feats, d in extra:
        what = f"{name} {ver}" + (f" ({target})" if target else "")
        print(f"  {d:6.2f}  {what}" + (f"  [{feats}]" if feats and name == "syn" else ""))
    # bitrix-api's own libraries: the facade, and since the split its runtime and namespaces.
    api = sum(u[4] for u in extra if u[0].startswith("bitrix-api") and not u[2])
    print(f"  {sum(u[4] for u in extra):6.2f}  in all; build-dependency part (all but the bitrix-api"
          f" libs): {sum(u[4] for u in extra) - api:.2f}")
    ours = Counter(u[:4] for u in units(c))
    gone = [u for u in units("baseline") if ours[u[:4]] == 0 and u[0] != "consumer-baseline"]
    for name, ver, target, feats, d in gone:  # e.g. a syn built with more features in its place
        print(f"  replaces the baseline's {name} {ver} {target} [{feats}] ({d:.2f})")
EOF
