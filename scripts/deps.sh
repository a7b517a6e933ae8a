#!/usr/bin/env bash
# Installs the Debian packages the project needs, and only those that are missing.
set -euo pipefail

PACKAGES=(
  make g++ cmake pkg-config
  postgresql-15 postgresql-server-dev-15 postgresql-contrib postgresql-15-pgtap
  sqitch libdbd-pg-perl libtap-parser-sourcehandler-pgtap-perl
  libssl-dev libpq-dev libgtest-dev libcrypt-dev
  pgbouncer
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all ${#PACKAGES[@]} packages present"; exit 0; }

echo "deps: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
