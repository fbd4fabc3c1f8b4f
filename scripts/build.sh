#!/usr/bin/env bash
# Configures and builds one flavour of DFP. Usage: scripts/build.sh [release|asan|tsan]
# Build trees live in build/<flavour>; the binaries in build/<flavour>/src/*/.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug "-DDFP_SANITIZE=address,undefined") ;;
  tsan)    args=(-DCMAKE_BUILD_TYPE=Debug -DDFP_SANITIZE=thread) ;;
  *) echo "usage: $0 [release|asan|tsan]" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "build/$flavour" "${generator[@]}" "${args[@]}" >/dev/null
cmake --build "build/$flavour" --parallel "$(nproc)"
