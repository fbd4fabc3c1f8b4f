#!/usr/bin/env bash
# Installs what bench/run-all.sh compares DFP with, from Debian's packages: redis-server and
# redis-tools (redis-benchmark) for request/response, iperf3 for bulk transfer on loopback,
# and jq to read dfp-bench --json; with the build's own packages, through the project's one
# installer (idempotent; run as root). The bench starts its own redis-server and iperf3 on
# free ports: the packaged services are not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/install-deps.sh redis-server redis-tools iperf3 jq
