#!/usr/bin/env bash
# IPAM at scale: a 10.0.0.0/8 holding a million addresses, laid out densely and at random.
# Prints, for each layout: next-free lookup time (the free map itself, and over HTTP),
# sequential allocation latency (synchronous=FULL, one client), and wrk throughput of a
# single-object GET and of a 50-item page as ratios to a bare libmicrohttpd server.
# It also prints the server's start-up time on that database and its resident memory after the
# run. Goals (docs/design.md, "Speed goals"): next free < 1 ms; allocation median < 1 ms, p99
# < 5 ms; single GET >= 0.8 x hello-world; 50-item page >= 0.4 x hello-world; resident memory
# < 64 MiB; start-up < 100 ms.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
N=${BENCH_ADDRESSES:-1000000}

bench_start_hello 18098

for layout in dense random; do
	db="$BENCH_DIR/$layout.db"
	bench_load "$db" addresses "$layout" "$N"
	sync   # flush the loader's writes, so they do not slow the fsyncs measured below
	"$GEN" nextfree "$db" | tee "$BENCH_DIR/nextfree"
	nfmax=$(sed -n 's/.*random starts:.* max \([0-9]*\) us/\1/p' "$BENCH_DIR/nextfree")
	# Start-up: from exec until /healthz answers (curl retries as fast as it can connect),
	# the median of 3 (the first start after the load can wait on the disk's writeback).
	start_ms=$(for i in 1 2 3; do
		t0=$(date +%s%N)
		"$NETSOT" serve --db "$db" --listen 127.0.0.1:18097 2>/dev/null &
		until curl -sf -o /dev/null http://127.0.0.1:18097/healthz; do :; done
		t1=$(date +%s%N)
		kill $! && wait $! 2>/dev/null || true
		bench_ms "$t0" "$t1"
	done | sort -n | sed -n 2p)
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
	if [ "$layout" = dense ]; then
		# The ceiling for the page's ratio: the bare server answering a body of the page's size.
		curl -sf -o "$BENCH_DIR/page" "${auth[@]}" "$base/ip-addresses?limit=50"
		read -r sized hello3 r3 < <(bench_hello_sized "$(wc -c <"$BENCH_DIR/page")")
	fi

	echo "== $layout layout, $N addresses"
	echo "next free over HTTP (GET available-ips?limit=1): median ${nf50} us, p99 ${nf99} us"
	echo "GET the /8 prefix with its utilization: median ${pf50} us, p99 ${pf99} us"
	echo "allocation (POST available-ips, sequential): median ${a50} us, p99 ${a99} us ($an allocations)"
	# Every address once more through the renders and the export, then the memory it holds.
	for path in render/hosts render/dnsmasq export "ip-addresses?limit=1000&offset=$((N - 1000))"; do
		curl -sf -o /dev/null "${auth[@]}" "$base/$path"
	done
	read -r rss hwm < <(bench_rss "${BENCH_PIDS[-1]}")
	echo "GET one address: $one req/s vs hello-world $hello1 = $r1 (goal 0.8; median of 3 pairs)"
	echo "GET 50-item page: $page req/s vs hello-world $hello2 = $r2 (goal 0.4; median of 3 pairs)"
	[ "$layout" = dense ] && echo "the bare server answering $(wc -c <"$BENCH_DIR/page") bytes (the page's" \
		"size): $sized req/s vs hello-world $hello3 = $r3, the most a page could reach here"
	echo "start-up until /healthz answers: $start_ms ms (goal 100 ms)"
	echo "resident memory after every address was read: $rss MiB, peak $hwm MiB (goal 64 MiB)"
	bench_row "next free in a /8, $layout, worst of 10,000" "$nfmax" us "<" 1000
	bench_row "allocation, 1 client, median ($layout)" "$a50" us "<" 1000
	bench_row "allocation, 1 client, p99 ($layout)" "$a99" us "<" 5000
	bench_row "GET one address ($layout)" "$one" req/s ">=" "$(awk -v h="$hello1" \
		'BEGIN { printf "%d", h * 0.8 }')" "$r1"
	bench_row "GET 50-address page ($layout)" "$page" req/s ">=" "$(awk -v h="$hello2" \
		'BEGIN { printf "%d", h * 0.4 }')" "$r2"
	bench_row "start-up, $N addresses ($layout)" "$start_ms" ms "<" 100
	bench_row "resident memory, $N addresses ($layout)" "$rss" MiB "<" 64
	kill "${BENCH_PIDS[-1]}"
	wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
	unset 'BENCH_PIDS[-1]'
	rm -f "$db" "$db"-* "$db.jwtkey" "$db.plan.json"
done
