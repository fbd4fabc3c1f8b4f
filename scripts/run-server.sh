#!/usr/bin/env bash
# Installs what is missing, builds, and starts dfp-server on its defaults
# (127.0.0.1:58000, data in ./dfp-data). Extra arguments go to dfp-server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/src/server/dfp-server "$@"
