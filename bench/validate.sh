#!/usr/bin/env bash
# The validation report of a generated plan: 10,000 addresses and 1,000 firewall rules
# (BENCH_ADDRESSES, BENCH_RULES change them). Goal (issue 4): under 100 ms.
# Prints the report's own time (median of 7) and GET /api/v1/validate end to end over HTTP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

db="$BENCH_DIR/plan.db"
bench_load "$db" plan "${BENCH_ADDRESSES:-10000}" "${BENCH_RULES:-1000}"
sync
"$GEN" validate "$db"
bench_start_netsot "$db"
token=$(bench_login "$db" bench)
for i in 1 2 3 4 5 6 7; do
	curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
		"http://127.0.0.1:$NETSOT_PORT/api/v1/validate"
done | sort -n | awk '{t[NR] = $1 * 1000} END { printf "GET /api/v1/validate over HTTP: median %.1f ms, worst %.1f ms (%d runs)\n", t[int((NR + 1) / 2)], t[NR], NR }' |
	tee "$BENCH_DIR/validate"
bench_row "validation report over HTTP, median" \
	"$(sed 's/.*median \([0-9.]*\) ms.*/\1/' "$BENCH_DIR/validate")" ms "<" 100
