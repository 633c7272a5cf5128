# Shared by the benchmark scripts: build, start netsot and the hello-world baseline, run wrk.
# Sourced, not run. Every server listens on 127.0.0.1 only.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$bench_root/deploy/packages.sh"

# BENCH_BUILD=DIR runs the netsot, hello and gen already built in DIR instead (another
# commit's build, to compare two binaries on the same machine): nothing is built or installed.
# BENCH_TMP=DIR puts the databases under DIR instead of /tmp (a tmpfs such as /dev/shm shows
# the CPU cost alone, without the disk's fsync).
bench_setup() {
	local build=${BENCH_BUILD:-}
	if [ -z "$build" ]; then
		build="$bench_root/build-bench"
		netsot_install $NETSOT_BUILD_PACKAGES $NETSOT_TEST_PACKAGES
		cmake -S "$bench_root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
			-DNETSOT_TESTS=OFF >/dev/null
		cmake --build "$build" -j"$(nproc)" --target netsot hello gen >/dev/null
	fi
	NETSOT="$build/netsot"
	HELLO="$build/hello"
	GEN="$build/gen"
	BENCH_DIR=$(mktemp -d "${BENCH_TMP:-/tmp}/netsot-bench-XXXXXX")
	BENCH_PIDS=()
	trap bench_teardown EXIT
}

bench_teardown() {
	local p
	for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$BENCH_DIR"
}

# bench_load DB KIND ARGS...: gen writes a plan (gen KIND DB.plan.json ARGS..., see bench/gen.c)
# and netsot imports it into a new database DB: every derived column is computed by the
# domain, as for data the server made itself. The plan file is left beside DB.
bench_load() {
	local db=$1 kind=$2 plan="$1.plan.json"
	shift 2
	"$GEN" "$kind" "$plan" "$@"
	"$NETSOT" migrate --db "$db" >/dev/null
	"$NETSOT" import "$plan" --db "$db" >/dev/null
}

# bench_start_netsot DB [flags...]: starts netsot on a free port, sets NETSOT_PORT.
bench_start_netsot() {
	local db=$1 log="$BENCH_DIR/netsot.log" i
	shift
	: >"$log"
	"$NETSOT" serve --db "$db" --listen 127.0.0.1:0 "$@" 2>>"$log" &
	BENCH_PIDS+=($!)
	for i in $(seq 200); do
		NETSOT_PORT=$(sed -n 's/.*(port \([0-9]*\),.*/\1/p' "$log" | tail -1)
		[ -n "$NETSOT_PORT" ] && return 0
		sleep 0.05
	done
	echo "netsot did not start:" >&2; cat "$log" >&2; return 1
}

# bench_start_hello PORT: the bare libmicrohttpd server, same daemon flags as netsot, a pool of 4
# threads (netsot serves with 32 by default since group commit; on 2 cores a bare server is
# fastest with 2 to 4, so this baseline is the best hello-world, not the same pool).
bench_start_hello() {
	"$HELLO" "$1" 4 2>/dev/null &
	BENCH_PIDS+=($!)
	HELLO_PORT=$1
	sleep 0.3
}

# bench_login DB USER: makes the user and prints a fresh access token.
bench_login() {
	local db=$1 user=$2 pw=bench-password-123
	printf '%s\n' "$pw" | "$NETSOT" user add "$user" --role admin --password-stdin --db "$db" \
		>/dev/null 2>&1 || true
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$user\",\"password\":\"$pw\"}" \
		"http://127.0.0.1:$NETSOT_PORT/api/v1/auth/login" |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# bench_wrk URL [wrk args...]: prints requests per second as a whole number.
bench_wrk() {
	local url=$1
	shift
	wrk -t2 -c64 -d"${BENCH_SECONDS:-8}s" "$@" "$url" |
		awk '/Requests\/sec/ {printf "%d\n", $2}'
}

# bench_time_ms URL [curl args...]: the median and worst of BENCH_RUNS (default 7) full GETs of
# URL, in milliseconds; the last body is left in $BENCH_DIR/out.
bench_time_ms() {
	local url=$1 i
	shift
	for i in $(seq "${BENCH_RUNS:-7}"); do
		curl -sf -o "$BENCH_DIR/out" -w '%{time_total}\n' "$@" "$url"
	done | sort -n | awk '{ t[NR] = $1 * 1000 }
		END { printf "%.1f %.1f", t[int((NR + 1) / 2)], t[NR] }'
}

# bench_report WIDTH LABEL URL GOAL_MS [curl args...]: a line of bench_time_ms's median and
# worst, the body's size, and whether the median meets the goal.
bench_report() {
	local width=$1 label=$2 url=$3 goal=$4 median worst m
	shift 4
	read -r median worst <<<"$(bench_time_ms "$url" "$@")"
	m=$(awk -v m="$median" -v g="$goal" 'BEGIN { print (m < g ? "met" : "MISSED") }')
	printf '%-*s median %7.1f ms, worst %7.1f ms, %8d bytes  (goal %d ms: %s)\n' "$width" \
		"$label" "$median" "$worst" "$(wc -c <"$BENCH_DIR/out")" "$goal" "$m"
	bench_row "${BENCH_ROW_PREFIX:-}$label, median" "$median" ms "<" "$goal"
}

# bench_ms T0 T1: the milliseconds between two `date +%s%N` times.
bench_ms() {
	echo $((($2 - $1) / 1000000))
}

bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# bench_latency URL [wrk args...]: one client; prints "MEDIAN_US P99_US REQUESTS".
bench_latency() {
	local url=$1
	shift
	wrk -t1 -c1 -d"${BENCH_SECONDS:-8}s" --latency "$@" "$url" | awk '
		function us(v) {
			if (v ~ /us$/) { sub(/us$/, "", v); return v + 0 }
			if (v ~ /ms$/) { sub(/ms$/, "", v); return v * 1000 }
			if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000000 }
			return v + 0
		}
		$1 == "50%" { p50 = us($2) }
		$1 == "99%" { p99 = us($2) }
		/requests in/ { n = $1 }
		END { printf "%d %d %d\n", p50, p99, n }'
}

# bench_vs_hello URL [wrk args...]: alternates the hello-world server and URL three times
# (noise on a shared machine moves both alike) and prints "REQS HELLO RATIO", the run with
# the median ratio.
bench_vs_hello() {
	local url=$1 i h x
	shift
	for i in 1 2 3; do
		h=$(bench_wrk "http://127.0.0.1:$HELLO_PORT/")
		x=$(bench_wrk "$url" "$@")
		echo "$x $h $(bench_ratio "$x" "$h")"
	done | sort -k3 -n | sed -n 2p
}

# bench_hello_sized BYTES: a second bare server answering a body of BYTES, alternated with the
# plain one as bench_vs_hello does; prints "REQS HELLO RATIO". The ratio is the ceiling for any
# endpoint answering that many bytes on this machine: the network stack's cost alone.
bench_hello_sized() {
	local port=$((HELLO_PORT + 100)) i h x
	"$HELLO" "$port" 4 "$1" 2>/dev/null &
	BENCH_PIDS+=($!)
	sleep 0.3
	for i in 1 2 3; do
		h=$(bench_wrk "http://127.0.0.1:$HELLO_PORT/")
		x=$(bench_wrk "http://127.0.0.1:$port/")
		echo "$x $h $(bench_ratio "$x" "$h")"
	done | sort -k3 -n | sed -n 2p
	kill "${BENCH_PIDS[-1]}"
	wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
	unset 'BENCH_PIDS[-1]'
}

# bench_row LABEL VALUE UNIT OP GOAL [RATIO]: one row of bench/run's table, appended to the file
# $BENCH_TABLE when bench/run set it (a script run alone prints only its own lines). OP is
# "<" (the figure must stay under GOAL) or ">=" (at least GOAL); RATIO is the figure's ratio to
# the hello-world server in the same run, where there is one.
bench_row() {
	local label=$1 value=$2 unit=$3 op=$4 goal=$5 ratio=${6:--} met
	met=$(awk -v v="$value" -v g="$goal" -v op="$op" \
		'BEGIN { print ((op == "<" ? v < g : v >= g) ? "met" : "MISSED") }')
	[ -n "${BENCH_TABLE:-}" ] &&
		printf '%s\t%s\t%s\t%s %s\t%s\t%s\n' "$label" "$value" "$unit" "$op" "$goal" \
			"$ratio" "$met" >>"$BENCH_TABLE"
	return 0
}

# bench_rss PID: the process's resident memory in MiB (VmRSS) and its peak (VmHWM).
bench_rss() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
		END { printf "%.1f %.1f\n", r / 1024, h / 1024 }' "/proc/$1/status"
}
