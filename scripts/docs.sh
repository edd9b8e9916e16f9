#!/usr/bin/env bash
# Builds the library's documentation with Swift-DocC (swiftlang/swift-docc-plugin), one archive
# per library module, into docs-build/, and fails on any warning (a broken symbol link, an
# undocumented parameter). Usage: bash scripts/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p docs-build
for target in LinearAlgebra DataTable Regression Comparison Plot Notebook Report CareRates; do
  echo "== $target"
  swift package --allow-writing-to-directory docs-build generate-documentation --target "$target" \
    --warnings-as-errors --output-path "docs-build/$target.doccarchive"
done
echo "docs: docs-build/*.doccarchive (open with docc preview, or serve as static files)"
