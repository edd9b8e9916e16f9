#!/usr/bin/env bash
# Rebuilds the bundled panels and their codebook (datasets/) from the official statistics in
# ../shared/data (or the folder given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
from="${1:-../shared/data}"
swift build --product carerates >&2
.build/debug/carerates data build --from "$from" --to datasets
