#!/usr/bin/env bash
# Compares servers by alternating them: each run starts one of them on a fresh temp data dir,
# runs one dfp-bench workload against it, prints ops/s and each command's p99, and stops it;
# then the next, RUNS times over. A spell of load from elsewhere on a shared machine then
# falls on every side alike. Used for the A/B figures of docs/performance.md.
#
# Usage: bench/alternate.sh RUNS 'LABEL=SERVER [server options...]' ...
#   e.g. bench/alternate.sh 3 "now=build/bench-release/src/server/dfp-server" \
#          "four=build/bench-release/src/server/dfp-server --workers=4"
# Environment: DFP_ALT_BENCH  dfp-bench to use (default build/bench-release/bench/dfp-bench)
#              DFP_ALT_ARGS   its workload options (default: seed-mix, 32 clients, 30 rounds)
# Every server gets --password-hash-cost=min, as in bench/run-all.sh. 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/launch-server.sh
. bench/launch-server.sh

runs=${1:?usage: $0 RUNS 'LABEL=SERVER [options...]' ...}
shift
[ $# -gt 0 ] || { echo "usage: $0 RUNS 'LABEL=SERVER [options...]' ..." >&2; exit 2; }
bench=${DFP_ALT_BENCH:-build/bench-release/bench/dfp-bench}
read -r -a bench_args <<<"${DFP_ALT_ARGS:---workload=seed-mix --clients=32 --rounds=30 --duration=300}"
ulimit -n "$(ulimit -Hn)"

dir=
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$dir" ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT

for _ in $(seq "$runs"); do
  for side in "$@"; do
    label=${side%%=*}
    read -r -a server <<<"${side#*=}"
    dir=$(mktemp -d /tmp/dfp-alternate.XXXXXX)
    launch_server "$dir" "${server[@]}" --password-hash-cost=min
    pid=$launched_pid
    "$bench" --port="$launched_port" "${bench_args[@]}" --json >"$dir/run.json" || true
    threads=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)
    jq -r --arg lbl "$label" --arg threads "$threads" \
      '[$lbl, "threads=" + $threads, "errors=" + (.errors | tostring),
        (.groups[] | select(.role == "main") | ("ops/s=" + (.ops_per_s | floor | tostring)),
          (.commands[] | "\(.command)=\(.p99_ms)"))] | join(" ")' "$dir/run.json"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    rm -rf "$dir"
    dir=
  done
done
