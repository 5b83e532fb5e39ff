#!/usr/bin/env bash
# Side-by-side with Python's fast_bitrix24: the same runs as
# `cargo run --release -p bitrix-api --example bulk_bench`, against the same emulator (as a
# separate process, clock x SCALE), with fast_bitrix24 from PyPI in a venv.
# Usage: scripts/bench-fast-bitrix24.sh [SCALE]   (default 1: a portal's own clock, 1 s ticks;
# the 20,000-call runs then take minutes, mostly asleep)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-1}"
TICK_MS=$((1000 / SCALE))
VENV="${VENV:-target/fb24-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "fast_bitrix24==1.8.14"
fi
cargo build -q --release -p bitrix-emulator --bin bitrix-emulator
EMU=target/release/bitrix-emulator

echo "fast_bitrix24 $("$VENV/bin/pip" show fast_bitrix24 | awk '/^Version/{print $2}'), emulator clock x$SCALE"
echo "uptime at start: $(uptime)"
echo
echo "| run | time | floor | ratio | requests | refused | calls lost |"
echo "|---|---|---|---|---|---|---|"
run() { # burst drain mode n
  local out pid hook base
  out=$(mktemp)
  "$EMU" --port 0 --rate "$1/$2" --tick-ms "$TICK_MS" --users 10000 >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q '^webhook URL' "$out" && break; sleep 0.1; done
  hook=$(awk '/^webhook URL/{print $3}' "$out")
  base=$(awk '/listening on/{print $NF}' "$out")
  local res secs ok reqs refused requests floor ratio
  trap "kill $pid 2>/dev/null || true" EXIT
  # fast_bitrix24 raises when it gives up after repeated refusals: recorded as "gave up".
  res=$("$VENV/bin/python" scripts/fb24_run.py "$hook" "$1" "$2" "$SCALE" "$3" "$4" 2>/dev/null | tail -1) \
    || res='{"secs": null, "ok": 0}'
  [ -n "$res" ] || res='{"secs": null, "ok": 0}'
  reqs=$(curl -s "$base/_emulator/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  refused=$(curl -s "$base/_emulator/limits" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate_refusals"])')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$out"
  secs=$(echo "$res" | python3 -c 'import json,sys; s=json.load(sys.stdin)["secs"]; print("gave up" if s is None else "%.2f" % s)')
  ok=$(echo "$res" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])')
  if [ "$3" = write ]; then requests=$(( ($4 + 49) / 50 )); else requests=$(( ( ($4 + 49) / 50 - 1 + 49) / 50 + 1 )); fi
  floor=$(python3 -c "print('%.2f' % max(0, ($requests - $1) / ($2 * $SCALE)))")
  ratio=$(python3 -c "f=$floor; s='$secs'; print('%.2f' % (float(s) / f) if f > 0 and s != 'gave up' else '-')")
  [ "$secs" = "gave up" ] || secs="$secs s"
  echo "| fast_bitrix24, X=$1 Y=$2: $3 $4 | $secs | $floor s | $ratio | $reqs | $refused | $(( $4 - ok )) |"
}
for plan in "50 2" "250 5"; do
  for n in 3000 5000 20000; do run $plan write $n; done
  run $plan list 10000
done
echo
echo "uptime at end: $(uptime)"
