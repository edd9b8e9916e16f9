#!/usr/bin/env bash
# The main job: build carerates (release) and fit a model of looked-after-children rates on the
# bundled Welsh panel (22 authorities, 31 March 2015-2018). Extra arguments go to `carerates fit`
# (for example --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product carerates >&2
.build/release/carerates fit wales_la_panel \
  --formula "rate_per_10000 ~ children_low_income_pct + wimd_pct_lsoas_most_deprived_10pct + unemployment_rate_pct" "$@"
