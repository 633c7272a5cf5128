#!/usr/bin/env bash
# HTTP core throughput: GET /healthz and an authenticated GET /api/v1/auth/me, each as a ratio
# to a bare libmicrohttpd hello-world server measured in the same run.
# Goal (docs/design.md, speed goals): the authenticated GET reaches 0.8 of the hello-world figure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

db="$BENCH_DIR/bench.db"
"$NETSOT" migrate --db "$db" >/dev/null
bench_start_netsot "$db"
bench_start_hello 18099
token=$(bench_login "$db" bench)

read -r healthz h1 r1 < <(bench_vs_hello "http://127.0.0.1:$NETSOT_PORT/healthz")
read -r me h2 r < <(bench_vs_hello "http://127.0.0.1:$NETSOT_PORT/api/v1/auth/me" \
	-H "Authorization: Bearer $token")

echo "each figure: the median of 3 runs alternating with the hello-world server"
printf '%-36s %10s %12s %8s\n' "endpoint" "req/s" "hello req/s" "ratio"
printf '%-36s %10d %12d %8s\n' "GET /healthz" "$healthz" "$h1" "$r1"
printf '%-36s %10d %12d %8s\n' "GET /api/v1/auth/me (JWT)" "$me" "$h2" "$r"
awk -v r="$r" 'BEGIN { exit !(r >= 0.8) }' && echo "goal met: auth GET >= 0.8 x hello-world" ||
	echo "goal NOT met: auth GET is $r x hello-world (goal 0.8)"
bench_row "GET /api/v1/auth/me (JWT)" "$me" req/s ">=" \
	"$(awk -v h="$h2" 'BEGIN { printf "%d", h * 0.8 }')" "$r"
