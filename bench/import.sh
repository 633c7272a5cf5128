#!/usr/bin/env bash
# Import of a generated plan: 100,000 addresses (BENCH_ADDRESSES) in /24 VLANs, a host with an
# SSH service per 5 addresses, and 1,000 firewall rules (BENCH_RULES), in the plan file that
# bench/gen.c writes. Goal (issue 5): the import of 100,000 addresses under 2 s.
# Prints the median and best of 3 imports into an empty database by the command line and over
# HTTP (POST /api/v1/import), and a re-import of the same file (nothing to change).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

addresses=${BENCH_ADDRESSES:-100000}
plan="$BENCH_DIR/plan.json"
"$GEN" plan "$plan" "$addresses" "${BENCH_RULES:-1000}"
objects=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sum(len(v) for v in d.values() if isinstance(v, list)))' "$plan")
echo "plan file: $(du -h "$plan" | cut -f1), $objects objects"
sync

summary() {   # label, then one time in ms per line on stdin; a table row for the median
	local line
	line=$(sort -n | awk -v l="$1" -v n="$addresses" '{ t[NR] = $1 }
		END { printf "%s: median %d ms, best %d ms (%d runs; %d addresses)\n", l,
			t[int((NR + 1) / 2)], t[1], NR, n }')
	echo "$line"
	bench_row "$1, $objects objects, median" "$(sed 's/.*median \([0-9]*\) ms.*/\1/' <<<"$line")" \
		ms "<" 2000
}

for i in 1 2 3; do
	db="$BENCH_DIR/cli$i.db"
	"$NETSOT" migrate --db "$db" >/dev/null
	t0=$(date +%s%N)
	"$NETSOT" import "$plan" --db "$db" >/dev/null
	t1=$(date +%s%N)
	bench_ms "$t0" "$t1"
done | summary "netsot import, empty database"

db="$BENCH_DIR/cli1.db"
for i in 1 2 3; do
	t0=$(date +%s%N)
	"$NETSOT" import "$plan" --db "$db" >"$BENCH_DIR/again.json"
	t1=$(date +%s%N)
	bench_ms "$t0" "$t1"
done | summary "netsot import again, nothing to change"
grep -q '"created": 0' "$BENCH_DIR/again.json"

for i in 1 2 3; do
	db="$BENCH_DIR/http$i.db"
	"$NETSOT" migrate --db "$db" >/dev/null
	bench_start_netsot "$db" --max-import-body 268435456
	token=$(bench_login "$db" bench)
	curl -sf -o "$BENCH_DIR/report.json" -w '%{time_total}\n' -X POST \
		-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data-binary @"$plan" "http://127.0.0.1:$NETSOT_PORT/api/v1/import" |
		awk '{ printf "%d\n", $1 * 1000 }'
	kill "${BENCH_PIDS[-1]}"
	wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
done | summary "POST /api/v1/import, empty database"
python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["created"] == int(sys.argv[2]), s
print("created %d objects, as many as the file holds" % s["created"])' \
	"$BENCH_DIR/report.json" "$objects"
