#!/usr/bin/env bash
# Installs what bench/run-all.sh compares DFP with, from Debian's packages: redis-server and
# redis-tools (redis-benchmark) for request/response, iperf3 for bulk transfer on loopback,
# and jq to read dfp-bench --json. Run as root. Idempotent: when every package is present it
# returns without touching apt.
set -euo pipefail

packages=(redis-server redis-tools iperf3 jq)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-deps: missing packages: ${missing[*]}" >&2
  echo "install-bench-deps: run this script as root (or with sudo) to install them" >&2
  exit 1
fi

echo "install-bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The bench starts its own redis-server and iperf3 on free ports; the packaged services are
# not needed, and a machine without an init system may not start them anyway.
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
