#!/usr/bin/env bash
# bench/render.sh's renders for two or more builds at once, to compare them on a shared machine:
# BENCH_COMPARE="DIR_A DIR_B ..." names build directories holding a netsot (another commit's,
# from a git worktree). Each imports the same generated plans (gen from BENCH_BUILD or this
# tree's build) into its own database and serves it; every target is then asked of each server
# in turn, BENCH_ROUNDS times (default 15), so the other load of the machine falls on all alike.
# Prints, per target, each build's median and the ratio of each to the first, in milliseconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
read -r -a builds <<<"${BENCH_COMPARE:?BENCH_COMPARE=\"DIR_A DIR_B\" names the builds}"
rounds=${BENCH_ROUNDS:-15}
gen=$GEN

# serve KIND ARGS...: a database per build from one plan, each served; sets ports and tokens.
serve() {
	local kind=$1 plan="$BENCH_DIR/plan.json" b db
	shift
	"$gen" "$kind" "$plan" "$@"
	ports=()
	tokens=()
	for b in "${!builds[@]}"; do
		NETSOT="${builds[b]}/netsot"
		db="$BENCH_DIR/b$b.db"
		rm -f "$db" "$db"-*
		"$NETSOT" migrate --db "$db" >/dev/null
		"$NETSOT" import "$plan" --db "$db" >/dev/null
		sync
		bench_start_netsot "$db"
		ports[b]=$NETSOT_PORT
		tokens[b]=$(bench_login "$db" bench)
	done
}

stop() {
	local b
	for b in "${!builds[@]}"; do
		kill "${BENCH_PIDS[-1]}"
		wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
		unset 'BENCH_PIDS[-1]'
	done
}

# each PATH [curl args...]: the request made of every build's server, with its token.
each() {
	local path=$1 b
	shift
	for b in "${!builds[@]}"; do
		curl -sf -o /dev/null "$@" -H "Authorization: Bearer ${tokens[b]}" \
			"http://127.0.0.1:${ports[b]}/api/v1/$path"
	done
}

# compare LABEL PATH: BENCH_ROUNDS rounds, each build once per round in turn.
compare() {
	local label=$1 path=$2 r b
	for r in $(seq "$rounds"); do
		for b in "${!builds[@]}"; do
			curl -sf -o /dev/null -w "$b %{time_total}\n" \
				-H "Authorization: Bearer ${tokens[b]}" \
				"http://127.0.0.1:${ports[b]}/api/v1/$path"
		done
	done | sort -k1,1n -k2,2n | awk -v l="$label" -v n="${#builds[@]}" '
		{ t[$1, c[$1]++] = $2 * 1000 }
		END {
			printf "%-32s", l
			for (b = 0; b < n; b++) {
				m[b] = t[b, int((c[b] - 1) / 2)]
				printf " %8.1f", m[b]
			}
			for (b = 1; b < n; b++)
				printf "  %5.2f", (m[0] > 0 ? m[b] / m[0] : 0)
			printf "\n"
		}'
}

echo "builds: ${builds[*]}"
echo "medians of $rounds rounds in ms, then each build's ratio to the first"
serve plan "${BENCH_ADDRESSES:-10000}" "${BENCH_RULES:-1000}"
# As in render.sh: host1 the router, and the zone of the generated names.
json=(-H 'Content-Type: application/json')
for b in "${!builds[@]}"; do
	url="http://127.0.0.1:${ports[b]}/api/v1"
	auth=(-H "Authorization: Bearer ${tokens[b]}")
	host1=$(curl -sf "${auth[@]}" "$url/hosts?name=host1" |
		sed -n 's/.*"results":\[{"id":\([0-9]*\).*/\1/p')
	curl -sf -o /dev/null -X PATCH "${auth[@]}" "${json[@]}" -d '{"kind":"router"}' \
		"$url/hosts/$host1"
	curl -sf -o /dev/null -X POST "${auth[@]}" "${json[@]}" \
		-d '{"name":"lab.local","soa_mname":"h0.lab.local."}' "$url/dns-zones"
done
for target in hosts dnsmasq "bind?zone=lab.local" "bind?reverse=10.0.0.0/8" \
    "nftables?host=host1" "iptables?host=host1" "ufw?host=host1" "interfaces?host=host1" \
    mwan3 k3s ansible-inventory; do
	each "render/$target"   # the first render of a target is not timed
	compare "$target" "render/$target"
done
stop

hosts=${BENCH_HOSTS:-30000}
serve plan $((hosts * 5)) 0
each inventory
compare "inventory, $hosts hosts" inventory
stop
