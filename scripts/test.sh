#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: once in a release build (then the
# Debian package: scripts/package-test.sh) and once under AddressSanitizer +
# UndefinedBehaviorSanitizer; then the tests where threads meet under ThreadSanitizer.
# Fails on the first failure. Run as root (apt-get, dpkg -i).
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
  # In the release build, glibc's malloc checks every free (no per-thread cache, freed memory
  # scribbled over), in every test program and every server, client and admin tool they
  # start: a heap misuse in code ASan cannot see (inside Debian's uninstrumented libraries)
  # aborts instead of passing. ASan brings its own allocator, so it is left alone there.
  tunables=
  [ "$flavour" = release ] && tunables=glibc.malloc.tcache_count=0:glibc.malloc.perturb=165
  GLIBC_TUNABLES=$tunables \
    ctest --test-dir "build/$flavour" --output-on-failure --parallel "$(nproc)" --timeout 1200
  if [ "$flavour" = release ]; then
    # The Debian package: built, installed with dpkg -i, served from, checked, purged.
    scripts/package-test.sh build/release
  fi
done

# ThreadSanitizer: the storage suite (its concurrency tests run many writers and readers at
# once), the server's unit tests (registry, throttle), and the real server under concurrent
# clients: the integration tests and the crash test, whose dfp-server children are TSan builds
# too. Every process writes its reports to its own file in $tsan_logs (the servers' stderr
# goes into test logs nobody reads), and any report at all fails the run.
echo "== tsan build"
start=$(date +%s)
scripts/build.sh tsan
echo "== tsan build took $(( $(date +%s) - start )) s; running the concurrency tests"
tsan_logs=$(mktemp -d)
trap 'rm -rf "$tsan_logs"' EXIT
# Debian's Poco is not built with TSan, so the atomic reference count that decides which
# thread closes and frees a Poco socket is invisible to it: when Poco's TCPServer acceptor
# drops its copy of a socket after a short session ended on another thread, the close looks
# like a race with that session's last recv. Calls made from inside libPocoNet are therefore
# not judged; everything our code does with sockets still is.
printf '%s\n' 'called_from_lib:libPocoNet.so' >"$tsan_logs/suppressions"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$tsan_logs/report:suppressions=$tsan_logs/suppressions"
tsan_status=0
ctest --test-dir build/tsan --output-on-failure --parallel "$(nproc)" --timeout 1200 \
  -R '^(dfp-storage-tests|dfp-server-tests|dfp-integration-tests|dfp-crash-test)$' ||
  tsan_status=$?
if compgen -G "$tsan_logs/report.*" >/dev/null; then
  echo "== ThreadSanitizer reported:" >&2
  cat "$tsan_logs"/report.* >&2
  exit 1
fi
if [ "$tsan_status" -ne 0 ]; then
  exit "$tsan_status"
fi
echo "== all tests passed (release, asan+ubsan, and tsan on the concurrency tests)"
