#!/usr/bin/env bash
# The web UI's overview for a generated plan of 10,000 addresses (BENCH_ADDRESSES) in headless
# Chromium: from navigation to the rendered VLAN table, median and worst of 7 fresh loads.
# Goal (issue 7): usable within 1 s.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
(cd "$bench_root" && netsot_npm)

db="$BENCH_DIR/plan.db"
bench_load "$db" plan "${BENCH_ADDRESSES:-10000}" 100
sync
bench_start_netsot "$db"
token=$(bench_login "$db" bench)
node "$bench_root/bench/ui-overview.mjs" "http://127.0.0.1:$NETSOT_PORT/" "$token" 7 |
	tee "$BENCH_DIR/ui"
bench_row "web UI overview in Chromium, median" \
	"$(sed 's/.*median \([0-9]*\) ms.*/\1/' "$BENCH_DIR/ui")" ms "<" 1000
