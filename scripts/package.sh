#!/usr/bin/env bash
# Builds the Debian package from the release build: configured for /usr (the systemd unit and
# the sample configuration name /usr/bin and /etc/dfp), then `cpack -G DEB`.
# Prints the path of the .deb. Usage: scripts/package.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" --parallel "$(nproc)" >/dev/null
rm -f "$build"/dfp_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
ls "$PWD/$build"/dfp_*.deb
