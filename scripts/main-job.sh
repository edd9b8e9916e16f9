#!/usr/bin/env bash
# The main job: build carerates (release) and fit a model on bundled data.
# Until the Welsh panel lands (data issue), the bundled data is NIST's Longley set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product carerates >&2
.build/release/carerates fit longley \
  --formula "employed ~ gnp_deflator + gnp + unemployed + armed_forces + population + year" "$@"
