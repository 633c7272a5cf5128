#!/usr/bin/env bash
# Every render target over HTTP for a generated plan of 10,000 addresses and 1,000 firewall
# rules (BENCH_ADDRESSES, BENCH_RULES), and the Ansible inventory of 30,000 hosts
# (BENCH_HOSTS). Goals (issue 6): each target under 50 ms; the inventory under 1 s.
# Prints the median and worst of 7 requests per target, each rendered in full (no ETag sent).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup

addresses=${BENCH_ADDRESSES:-10000}
db="$BENCH_DIR/plan.db"
bench_load "$db" plan "$addresses" "${BENCH_RULES:-1000}"
sync
bench_start_netsot "$db"
token=$(bench_login "$db" bench)
url="http://127.0.0.1:$NETSOT_PORT/api/v1"
auth=(-H "Authorization: Bearer $token")
json=(-H 'Content-Type: application/json')
# host1 becomes the router (the forward chain holds the generated forward rules), and the
# generated names (hN.lab.local) get their zone, served by h0 (an in-zone name server needs an
# address).
host1=$(curl -sf "${auth[@]}" "$url/hosts?name=host1" | sed -n 's/.*"results":\[{"id":\([0-9]*\).*/\1/p')
curl -sf -o /dev/null -X PATCH "${auth[@]}" "${json[@]}" -d '{"kind":"router"}' "$url/hosts/$host1"
curl -sf -o /dev/null -X POST "${auth[@]}" "${json[@]}" \
	-d '{"name":"lab.local","soa_mname":"h0.lab.local."}' "$url/dns-zones"

BENCH_ROW_PREFIX="render "
report() {   # label path goal_ms
	bench_report 36 "$1" "$url/$2" "$3" "${auth[@]}"
}

echo "plan: $addresses addresses, ${BENCH_RULES:-1000} firewall rules"
report hosts render/hosts 50
report dnsmasq render/dnsmasq 50
report "bind zone=lab.local" "render/bind?zone=lab.local" 50
report "bind reverse=10.0.0.0/8" "render/bind?reverse=10.0.0.0/8" 50
report "nftables host=host1 (router)" "render/nftables?host=host1" 50
report "iptables host=host1 (router)" "render/iptables?host=host1" 50
report "ufw host=host1" "render/ufw?host=host1" 50
report "interfaces host=host1" "render/interfaces?host=host1" 50
report mwan3 render/mwan3 50
report k3s render/k3s 50
report ansible-inventory render/ansible-inventory 50
kill "${BENCH_PIDS[-1]}"
wait "${BENCH_PIDS[-1]}" 2>/dev/null || true

hosts=${BENCH_HOSTS:-30000}
db="$BENCH_DIR/hosts.db"
bench_load "$db" plan $((hosts * 5)) 0
sync
bench_start_netsot "$db"
token=$(bench_login "$db" bench)
auth=(-H "Authorization: Bearer $token")
url="http://127.0.0.1:$NETSOT_PORT/api/v1"
echo "plan: $hosts hosts, $((hosts * 5)) addresses"
report "inventory, $hosts hosts" inventory 1000
