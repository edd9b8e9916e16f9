#!/usr/bin/env bash
# Every test, in both configurations: the default build (OpenBLAS/LAPACK backend and the
# pure-Swift backend, cross-checked) and the build without the LAPACK trait (pure Swift only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== swift test (default traits: LAPACK + Swift backends)"
swift test
echo "== swift test --disable-default-traits (pure Swift)"
swift test --disable-default-traits --scratch-path .build-pure
