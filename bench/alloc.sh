#!/usr/bin/env bash
# Allocation with synchronous=FULL (POST /prefixes/1/available-ips, one address each) in a /8
# already holding BENCH_ADDRESSES (10,000) addresses: the throughput of 32 concurrent clients
# (group commit: the allocations waiting at one moment share a transaction and an fsync) and
# the latency of one client. Goals (DESIGN.md section 6): >= 5,000 addresses/s with 32
# clients, each answered only once its address is durable; one client median < 1 ms, p99 < 5 ms.
# Addresses are counted from the prefix's utilization before and after (failed requests do not
# count). BENCH_SERVE_FLAGS passes extra flags to netsot serve (e.g. "--threads 8").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
N=${BENCH_ADDRESSES:-10000}
secs=${BENCH_SECONDS:-8}

db="$BENCH_DIR/alloc.db"
bench_load "$db" addresses dense "$N"
sync   # flush the loader's writes, so they do not slow the fsyncs measured below
# shellcheck disable=SC2086
bench_start_netsot "$db" ${BENCH_SERVE_FLAGS:-}
token=$(bench_login "$db" bench)
auth=(-H "Authorization: Bearer $token")
base="http://127.0.0.1:$NETSOT_PORT/api/v1"

used() {
	curl -sf "${auth[@]}" "$base/prefixes/1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["utilization"]["used"])'
}

# The server's CPU time (user + system, clock ticks): its cost per address, which a loaded
# machine moves less than the throughput.
ticks() {
	awk '{ print $14 + $15 }' "/proc/${BENCH_PIDS[-1]}/stat"
}

u0=$(used)
c0=$(ticks)
wrk -t2 -c32 -d"${secs}s" -s "$bench_root/bench/post.lua" "${auth[@]}" \
	"$base/prefixes/1/available-ips" >"$BENCH_DIR/wrk.txt"
c1=$(ticks)
u1=$(used)
t=$(awk '/requests in/ { sub(/s,?$/, "", $4); print $4 }' "$BENCH_DIR/wrk.txt")
errors=$(awk '/Non-2xx/ { print $NF }' "$BENCH_DIR/wrk.txt")
rate=$(awk -v a="$u0" -v b="$u1" -v t="$t" 'BEGIN { printf "%d", (b - a) / t }')
echo "allocation, 32 clients, synchronous=FULL: $rate addresses/s (goal >= 5000;" \
	"$((u1 - u0)) in ${t}s, ${errors:-0} non-2xx; server CPU" \
	"$(awk -v c="$((c1 - c0))" -v n="$((u1 - u0))" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%d", n ? c * 1000000 / hz / n : 0 }') us/address)"

read -r a50 a99 an < <(bench_latency "$base/prefixes/1/available-ips" "${auth[@]}" \
	-s "$bench_root/bench/post.lua")
awk -v m="$a50" -v p="$a99" -v n="$an" 'BEGIN { printf "allocation, 1 client: median %.3f ms " \
	"p99 %.3f ms (goal < 1 ms / < 5 ms; %d allocations)\n", m / 1000, p / 1000, n }'
bench_row "allocation, 32 clients, synchronous=FULL" "$rate" addresses/s ">=" 5000
bench_row "allocation, 1 client, median (10,000 addresses)" "$a50" us "<" 1000
bench_row "allocation, 1 client, p99 (10,000 addresses)" "$a99" us "<" 5000
