#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: once in a release build and once
# under AddressSanitizer + UndefinedBehaviorSanitizer. Fails on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export BOOST_TEST_COLOR_OUTPUT=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
scripts/install-deps.sh
for flavour in release asan; do
  echo "== $flavour build"
  start=$(date +%s)
  scripts/build.sh "$flavour"
  echo "== $flavour build took $(( $(date +%s) - start )) s; running tests"
  ctest --test-dir "build/$flavour" --output-on-failure --parallel "$(nproc)" --timeout 1200
done
echo "== all tests passed (release and asan+ubsan)"
