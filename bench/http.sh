#!/usr/bin/env bash
# HTTP core throughput: GET /healthz and an authenticated GET /api/v1/auth/me, each as a ratio
# to a bare libmicrohttpd hello-world server measured in the same run.
# Goal (issue 2): the authenticated GET reaches at least half the hello-world figure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

db="$BENCH_DIR/bench.db"
"$NETSOT" migrate --db "$db" >/dev/null
bench_start_netsot "$db"
bench_start_hello 18099
token=$(bench_login "$db" bench)

hello=$(bench_wrk "http://127.0.0.1:$HELLO_PORT/")
healthz=$(bench_wrk "http://127.0.0.1:$NETSOT_PORT/healthz")
me=$(bench_wrk "http://127.0.0.1:$NETSOT_PORT/api/v1/auth/me" -H "Authorization: Bearer $token")

printf '%-36s %10s %8s\n' "endpoint" "req/s" "ratio"
printf '%-36s %10d %8s\n' "hello-world (bare libmicrohttpd)" "$hello" "1.00"
printf '%-36s %10d %8s\n' "GET /healthz" "$healthz" "$(bench_ratio "$healthz" "$hello")"
printf '%-36s %10d %8s\n' "GET /api/v1/auth/me (JWT)" "$me" "$(bench_ratio "$me" "$hello")"
r=$(bench_ratio "$me" "$hello")
awk -v r="$r" 'BEGIN { exit !(r >= 0.5) }' && echo "goal met: auth GET >= 0.5 x hello-world" ||
	echo "goal NOT met: auth GET is $r x hello-world (goal 0.5)"
