#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, ASan and UBSan in build/fuzz, and runs
# each for a bounded time over its seed corpus (tests/fuzz/corpus/<target>).
# Usage: scripts/fuzz.sh [seconds-per-target (default 60)] [target...]
# Inputs that add coverage are kept in build/fuzz/corpus/<target> (the checked-in seeds are not
# touched); a crash leaves its input in build/fuzz/artifacts/<target>/ and fails the script.
# Replay one input: build/fuzz/tests/fuzz/<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_line_splitter fuzz_request_parser fuzz_response_reader fuzz_session)
fi
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [seconds-per-target] [target...]" >&2; exit 2 ;;
esac

scripts/install-deps.sh clang libclang-rt-14-dev
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# -O1 keeps asserts (no NDEBUG) and still runs fast; the tests and programs are not needed.
cmake -S . -B build/fuzz "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DDFP_SANITIZE=address,undefined -DDFP_FUZZ=ON -DDFP_BUILD_TESTS=OFF >/dev/null
cmake --build build/fuzz --parallel "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
summary=()
for target in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$target
  artifacts=build/fuzz/artifacts/$target
  log=build/fuzz/logs/$target.log
  mkdir -p "$corpus" "$artifacts" build/fuzz/logs
  dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=("-dict=tests/fuzz/$target.dict")
  echo "== $target for $seconds s (log: $log)"
  status=0
  "build/fuzz/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 || true)
  line="$target: ${execs:-?} runs, ${cov:-cov: ?}, ${ft:-ft: ?}, corpus $(ls "$corpus" | wc -l) files"
  if [ "$status" -ne 0 ]; then
    line="$line -- FAILED (exit $status), see $log and $artifacts/"
    failed+=("$target")
    tail -n 40 "$log" >&2
  fi
  summary+=("$line")
done
echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== crashes in: ${failed[*]}" >&2
  exit 1
fi
