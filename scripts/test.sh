#!/usr/bin/env bash
# Every test, in both configurations: the default build (OpenBLAS/LAPACK backend and the
# pure-Swift backend, cross-checked) and the build without the LAPACK trait (pure Swift only);
# then a short seeded fuzzing pass over the CSV reader, the number parser and the formula
# parser (20,000 inputs each; the long runs are `swift run -c release carerates-fuzz all
# --count 10000000`); every notebook in notebooks-md/ and the README's tour are checked with both builds. The plot tests render in headless Chromium, which setup-tests.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-tests.sh
echo "== swift test (default traits: LAPACK + Swift backends)"
swift test
echo "== swift test --disable-default-traits (pure Swift)"
swift test --disable-default-traits --scratch-path .build-pure
echo "== notebooks: every block rerun and compared (LAPACK build, then pure Swift)"
for target in notebooks-md README.md; do
  swift run carerates notebook check "$target"
  swift run --disable-default-traits --scratch-path .build-pure carerates notebook check "$target"
done
echo "== carerates-fuzz (short seeded pass)"
swift run carerates-fuzz all --count 20000 --seed 20261201
echo "== the release binary, alone in an empty root"
bash scripts/release.sh --check
echo "== the documentation (Swift-DocC, warnings as errors)"
bash scripts/docs.sh
