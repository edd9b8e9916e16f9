#!/usr/bin/env bash
# Installs what the tests need beyond the build: headless Chromium (Debian's chromium), which
# renders the plots to PNG for the browser tests. Does nothing when it is present.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "setup-tests: installing chromium" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
