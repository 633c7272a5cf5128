#!/usr/bin/env bash
# DNS renders and import with many names and aliases (issue 13, item 8): a generated plan of
# 20,000 named addresses (BENCH_NAMES) in zone lab.local with 3,000 CNAMEs (BENCH_CNAMES), one
# in ten through another alias. Goals: each of dnsmasq, hosts and the bind zone under 50 ms;
# the import of the plan under 2 s; /healthz answering promptly while eight such renders run
# at once. Prints the median and worst of 7 full renders per target, the median and best of 3
# imports by the command line and one over HTTP, and /healthz latency under load.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

names=${BENCH_NAMES:-20000}
cnames=${BENCH_CNAMES:-3000}
db="$BENCH_DIR/dns.db"
bench_load "$db" dns "$names" "$cnames"
sync
bench_start_netsot "$db"
token=$(bench_login "$db" bench)
url="http://127.0.0.1:$NETSOT_PORT/api/v1"
auth=(-H "Authorization: Bearer $token")

BENCH_ROW_PREFIX="render, $names names + $cnames CNAMEs: "
report() {   # label path goal_ms
	bench_report 28 "$1" "$url/$2" "$3" "${auth[@]}"
}

echo "plan: $names named addresses, $cnames CNAMEs in zone lab.local"
report dnsmasq render/dnsmasq 50
report hosts render/hosts 50
report "bind zone=lab.local" "render/bind?zone=lab.local" 50

# /healthz while eight renders run at once, each client rendering in a loop for 5 s.
stop=$(($(date +%s) + 5))
loops=()
for i in 1 2 3 4 5 6 7 8; do
	(
		targets=(dnsmasq hosts "bind?zone=lab.local")
		n=0
		while [ "$(date +%s)" -lt "$stop" ]; do
			curl -sf -o /dev/null "${auth[@]}" "$url/render/${targets[n % 3]}"
			n=$((n + 1))
		done
		echo "$n" >"$BENCH_DIR/renders.$i"
	) &
	loops+=($!)
done
sleep 0.5
for i in $(seq 40); do
	curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$NETSOT_PORT/healthz"
	sleep 0.05
done | sort -n | awk '{ t[NR] = $1 * 1000 } END {
	printf "/healthz during 8 concurrent renders: median %.1f ms, worst %.1f ms " \
		"(%d requests)\n", t[int((NR + 1) / 2)], t[NR], NR }'
wait "${loops[@]}"
echo "renders completed meanwhile: $(cat "$BENCH_DIR"/renders.* |
	awk '{ s += $1 } END { print s }')"
kill "${BENCH_PIDS[-1]}"
wait "${BENCH_PIDS[-1]}" 2>/dev/null || true

# Import: the plan exported by netsot itself, into an empty database.
plan="$BENCH_DIR/plan.json"
"$NETSOT" export --db "$db" >"$plan"
echo "plan file: $(du -h "$plan" | cut -f1)"
for i in 1 2 3; do
	new="$BENCH_DIR/import$i.db"
	"$NETSOT" migrate --db "$new" >/dev/null
	t0=$(date +%s%N)
	"$NETSOT" import "$plan" --db "$new" >/dev/null
	t1=$(date +%s%N)
	bench_ms "$t0" "$t1"
done | sort -n | awk '{ t[NR] = $1 } END {
	printf "netsot import, empty database: median %d ms, best %d ms (goal 2000 ms: %s)\n",
		t[2], t[1], t[2] < 2000 ? "met" : "MISSED" }' | tee "$BENCH_DIR/import"
bench_row "netsot import of the DNS plan, median" \
	"$(sed 's/.*median \([0-9]*\) ms.*/\1/' "$BENCH_DIR/import")" ms "<" 2000
new="$BENCH_DIR/http.db"
"$NETSOT" migrate --db "$new" >/dev/null
bench_start_netsot "$new" --max-import-body 268435456
token=$(bench_login "$new" bench)
curl -sf -o "$BENCH_DIR/report.json" -w '%{time_total}\n' -X POST \
	-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	--data-binary @"$plan" "http://127.0.0.1:$NETSOT_PORT/api/v1/import" |
	awk '{ printf "POST /api/v1/import, empty database: %d ms (goal 2000 ms: %s)\n",
		$1 * 1000, $1 < 2 ? "met" : "MISSED" }' | tee "$BENCH_DIR/import"
bench_row "POST /api/v1/import of the DNS plan" \
	"$(sed 's/.*database: \([0-9]*\) ms.*/\1/' "$BENCH_DIR/import")" ms "<" 2000
