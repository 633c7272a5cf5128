#!/usr/bin/env bash
# IPAM at scale: a 10.0.0.0/8 holding a million addresses, laid out densely and at random.
# Prints, for each layout: next-free lookup time (the free map itself, and over HTTP),
# sequential allocation latency (synchronous=FULL, one client), and wrk throughput of a
# single-object GET and of a 50-item page as ratios to a bare libmicrohttpd server.
# Goals (issue 3): next free < 1 ms; allocation median < 1 ms (p99 < 5 ms per DESIGN.md);
# single GET >= 0.5 x hello-world; 50-item page >= 0.2 x hello-world.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
N=${BENCH_ADDRESSES:-1000000}

bench_start_hello 18098

for layout in dense random; do
	db="$BENCH_DIR/$layout.db"
	bench_load "$db" addresses "$layout" "$N"
	sync   # flush the loader's writes, so they do not slow the fsyncs measured below
	"$GEN" nextfree "$db"
	bench_start_netsot "$db"
	token=$(bench_login "$db" bench)
	auth=(-H "Authorization: Bearer $token")
	base="http://127.0.0.1:$NETSOT_PORT/api/v1"

	read -r nf50 nf99 _ < <(bench_latency "$base/prefixes/1/available-ips?limit=1" "${auth[@]}")
	read -r pf50 pf99 _ < <(bench_latency "$base/prefixes/1" "${auth[@]}")
	read -r a50 a99 an < <(bench_latency "$base/prefixes/1/available-ips" "${auth[@]}" \
		-s "$bench_root/bench/post.lua")
	read -r one hello1 r1 < <(bench_vs_hello "$base/ip-addresses/500000" "${auth[@]}")
	read -r page hello2 r2 < <(bench_vs_hello "$base/ip-addresses?limit=50" "${auth[@]}")

	echo "== $layout layout, $N addresses"
	echo "next free over HTTP (GET available-ips?limit=1): median ${nf50} us, p99 ${nf99} us"
	echo "GET the /8 prefix with its utilization: median ${pf50} us, p99 ${pf99} us"
	echo "allocation (POST available-ips, sequential): median ${a50} us, p99 ${a99} us ($an allocations)"
	echo "GET one address: $one req/s vs hello-world $hello1 = $r1 (goal 0.5; median of 3 pairs)"
	echo "GET 50-item page: $page req/s vs hello-world $hello2 = $r2 (goal 0.2; median of 3 pairs)"
	kill "${BENCH_PIDS[-1]}"
	wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
	unset 'BENCH_PIDS[-1]'
	rm -f "$db" "$db"-* "$db.jwtkey" "$db.plan.json"
done
