#!/usr/bin/env bash
# The registration burst against redis (docs/performance.md): seed-mix's login phase alone,
# run by dfp-login-burst against dfp-server (a fresh data dir, --password-hash-cost=min as in
# run-all.sh) and against redis-server --save '' --appendonly no, with the same client code,
# the same 32 clients and 32 rounds, alternated RUNS times (default 3). Prints each run's
# table and the server's CPU time per connection cycle (user + system, /proc/PID/stat),
# measured over the rounds after a warm-up of two.
#
# Usage: bench/burst.sh [RUNS]   as root the first time (installs redis). 127.0.0.1 only.
# Environment: DFP_BURST_BUILD  the build to use (default build/bench-release)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/launch-server.sh
. bench/launch-server.sh

runs=${1:-3}
build=${DFP_BURST_BUILD:-build/bench-release}
burst=$build/bench/dfp-login-burst
server=$build/src/server/dfp-server
clients=32
rounds=32
if [ ! -x "$burst" ] || [ ! -x "$server" ]; then
  echo "$burst or $server is missing: build $build first (bench/run-all.sh does)" >&2
  exit 2
fi
command -v redis-server >/dev/null || bench/install-bench-deps.sh
ulimit -n "$(ulimit -Hn)"

dir=$(mktemp -d /tmp/dfp-burst.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure LABEL DIALECT PORT: the warm-up, then the measured rounds and the server's CPU.
measure() {
  local label=$1 dialect=$2 port=$3 before after
  "$burst" --dialect="$dialect" --port="$port" --clients="$clients" --rounds=2 >/dev/null
  before=$(cpu_ticks "$pid")
  "$burst" --dialect="$dialect" --port="$port" --clients="$clients" --rounds="$rounds"
  after=$(cpu_ticks "$pid")
  echo "$label: server CPU per cycle $(((after - before) * 1000000 / $(getconf CLK_TCK) / (clients * rounds))) µs"
  echo
}

for _ in $(seq "$runs"); do
  rm -rf "$dir/dfp"
  launch_server "$dir/dfp" "$server" --password-hash-cost=min
  pid=$launched_pid
  measure dfp-server dfp "$launched_port"
  kill "$pid"
  wait "$pid" 2>/dev/null || true

  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$dir/redis.log" 2>&1 &
  pid=$!
  await_log "$dir/redis.log" "Ready to accept connections"
  measure redis-server redis "$port"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
done
