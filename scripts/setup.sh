#!/usr/bin/env bash
# Installs what the default (LAPACK) build links: OpenBLAS and LAPACKE (Debian/Ubuntu).
# Does nothing when they are present. The pure-Swift build (--disable-default-traits) needs none.
set -euo pipefail
missing=()
for pkg in libopenblas-dev liblapacke-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
