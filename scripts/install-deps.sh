#!/usr/bin/env bash
# Installs what DFP needs to build and test on Debian 12 (bookworm). Run as root.
# Idempotent: when every package is already present it returns without touching apt.
# Usage: scripts/install-deps.sh [extra-package...]
set -euo pipefail

packages=(
  cmake g++ make ninja-build pkg-config git
  libsqlite3-dev libsqlitecpp-dev sqlite3
  libpoco-dev libboost-test-dev libsodium-dev libedit-dev libssl-dev
  dpkg-dev file  # scripts/package.sh: cpack finds the .deb's library dependencies with them
  openssl  # the CLI: the TLS tests make their certificates with it
  "$@"  # extra packages a caller needs, e.g. scripts/fuzz.sh asks for clang
)

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
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root (or with sudo) to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh them once before installing.
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
