#!/usr/bin/env bash
# Profiles dfp-server under two loads and prints where its time goes:
#   1. perf (cpu-clock samples; this VM has no hardware counters) during seed-mix, 32 clients;
#   2. perf during one 1 GiB upload and one download;
#   3. valgrind --tool=callgrind (instruction counts, repeatable on a noisy machine) during a
#      short seed-mix of 4 clients, one round.
# Usage: bench/profile.sh [OUTDIR]   (needs linux-perf and valgrind; run bench/run-all.sh first
# or let this build build/bench-release itself)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/launch-server.sh
. bench/launch-server.sh
build=${DFP_BENCH_BUILD:-build/bench-release}
out=${1:-$(mktemp -d /tmp/dfp-profile.XXXXXX)}
mkdir -p "$out"

if ! command -v perf >/dev/null || ! command -v valgrind >/dev/null; then
  echo "profile.sh needs perf (linux-perf) and valgrind: apt-get install linux-perf valgrind" >&2
  exit 1
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target dfp-server dfp-bench >/dev/null
server_bin=$root/$build/src/server/dfp-server
bench_bin=$root/$build/bench/dfp-bench

server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME [wrapper...] -- [server options...]: sets server_pid (of the wrapper, if any) and
# port.
start() {
  local name=$1
  shift
  local wrapper=()
  while [ "$1" != "--" ]; do wrapper+=("$1"); shift; done
  shift
  rm -rf "${out:?}/$name"
  launch_server "$out/$name" "${wrapper[@]}" "$server_bin" "$@"
  server_pid=$launched_pid
  port=$launched_port
}

stop() {
  kill -TERM "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

top_symbols() {  # perf data file: by library, then the symbols above 1%
  perf report -i "$1" --stdio --no-children --sort dso >"$1.dso" 2>/dev/null
  perf report -i "$1" --stdio --no-children --sort dso,symbol --percent-limit 1 \
    >"$1.symbols" 2>/dev/null
  grep -v '^#' "$1.dso" | grep -v '^$' | sed -n '1,6p'
  grep -v '^#' "$1.symbols" | grep -v '^$' | cut -c1-140 | sed -n '1,25p'
}

echo "== perf: seed-mix, 32 clients, 3 rounds"
start seed -- --password-hash-cost=min
perf record -F 1999 -p "$server_pid" -o "$out/seed.perf" 2>/dev/null &
perf_pid=$!
"$bench_bin" --port="$port" --workload=seed-mix --clients=32 --rounds=3 --duration=120 |
  sed -n '3,4p'
kill -INT "$perf_pid"
wait "$perf_pid" || true
stop
top_symbols "$out/seed.perf" | tee "$out/seed.top"

echo "== perf: UPD then DWN of 1 GiB"
start files -- --password-hash-cost=min
perf record -F 1999 -p "$server_pid" -o "$out/upload.perf" 2>/dev/null &
perf_pid=$!
"$bench_bin" --port="$port" --workload=upload --clients=1 --file-size=1G --ops=1 | sed -n '3,5p'
kill -INT "$perf_pid"
wait "$perf_pid" || true
top_symbols "$out/upload.perf" | tee "$out/upload.top"
perf record -F 1999 -p "$server_pid" -o "$out/download.perf" 2>/dev/null &
perf_pid=$!
started=$(date +%s.%N)
"$bench_bin" --port="$port" --workload=download --clients=1 --file-size=1G --ops=2 --json \
  >"$out/download.json"
ended=$(date +%s.%N)
kill -INT "$perf_pid"
wait "$perf_pid" || true
stop
jq -r '.groups[0].commands[0] | "DWN: \(.ok) ok, \(.mib_per_s) MiB/s"' "$out/download.json"
# The download workload first uploads its file (setup, hashed by the server): keep only the
# samples of the measured phase, the last `seconds` of the run.
from=$(jq -r --arg s "$started" --arg e "$ended" \
  '100 * (1 - .groups[0].seconds / (($e | tonumber) - ($s | tonumber))) | floor' \
  "$out/download.json")
perf report -i "$out/download.perf" --time "${from}%-100%" --stdio --no-children --sort dso \
  >"$out/download.perf.dso" 2>/dev/null
perf report -i "$out/download.perf" --time "${from}%-100%" --stdio --no-children \
  --sort dso,symbol --percent-limit 1 >"$out/download.perf.symbols" 2>/dev/null
grep -v '^#' "$out/download.perf.dso" | grep -v '^$' | sed -n '1,6p'
grep -v '^#' "$out/download.perf.symbols" | grep -v '^$' | cut -c1-140 | sed -n '1,25p'

echo "== callgrind: seed-mix, 4 clients, 1 round"
start callgrind valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" -- \
  --password-hash-cost=min
"$bench_bin" --port="$port" --workload=seed-mix --clients=4 --rounds=1 --duration=300 \
  --timeout=120 | sed -n '3,4p'
stop
# Whole reports to files first: head closing a pipe early would end this script (pipefail).
callgrind_annotate --inclusive=no "$out/callgrind.out" >"$out/callgrind.self" 2>/dev/null
callgrind_annotate --inclusive=yes "$out/callgrind.out" >"$out/callgrind.inclusive" 2>/dev/null
callgrind_annotate --tree=caller "$out/callgrind.out" >"$out/callgrind.callers" 2>/dev/null
sed -n '/PROGRAM TOTALS/,$p' "$out/callgrind.self" | cut -c1-160 | sed -n '1,30p'
echo "== profiles in $out (perf report -i $out/seed.perf; callgrind_annotate $out/callgrind.out)"
