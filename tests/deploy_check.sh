#!/usr/bin/env bash
# The production files in deploy/, each read by the program that reads it in production
# (ctest deploy): the systemd unit by systemd-analyze, the nginx site by nginx -t, the K3s
# manifests by yamllint and a schema check (tests/deploy/k8s-check.mjs), the Ansible
# playbook and inventory by ansible-playbook and ansible-inventory. The serve settings of the
# unit and of the Deployment are also given to the real binary, which must start with them,
# and the body caps of netsot and nginx must agree.
#   tests/deploy_check.sh SOURCE_DIR NETSOT_BINARY
# Runs as root or not; everything goes to a temporary folder, the server to 127.0.0.1:0.
set -uo pipefail

src=$(cd "$1" && pwd) bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d)
server_pid=
passed=0 failed=0

cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# check NAME COMMAND...: runs the command, its output kept for when it fails.
check() {
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok    $name"
		passed=$((passed + 1))
	else
		echo "FAIL  $name"
		sed 's/^/      /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

# A value in bytes from an nginx size (1m, 64m, 512k, 1048576).
nginx_bytes() {
	case $1 in
	*[kK]) echo $((${1%?} * 1024)) ;;
	*[mM]) echo $((${1%?} * 1024 * 1024)) ;;
	*[gG]) echo $((${1%?} * 1024 * 1024 * 1024)) ;;
	*) echo "$1" ;;
	esac
}

# serve_starts DIR ARGS...: netsot serve (with the environment already set) must print its
# listening line and answer GET /healthz, then stop cleanly on SIGTERM.
serve_starts() {
	local dir=$1 port i
	shift
	"$bin" serve "$@" 2>"$dir/serve.log" &
	server_pid=$!
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on .*(port \([0-9]*\),.*/\1/p' "$dir/serve.log")
		[ -n "$port" ] && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		cat "$dir/serve.log"
		return 1
	fi
	curl -fsS --max-time 10 "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' ||
		return 1
	kill "$server_pid"
	wait "$server_pid" || { cat "$dir/serve.log"; server_pid=; return 1; }
	server_pid=
}

# --- systemd -----------------------------------------------------------------------------
unit=$src/deploy/systemd/netsot.service
mkdir -p "$tmp/systemd"
# verify needs the binaries to exist: the built one stands in for /usr/local/bin/netsot.
sed "s#/usr/local/bin/netsot#$bin#g" "$unit" >"$tmp/systemd/netsot.service"

# verify exits 0 on a misspelt key or a bad value (it only says "ignoring"), so any word
# from it is a failure.
systemd_verify() {
	grep -q "^ExecStart=$bin serve\$" "$tmp/systemd/netsot.service" || {
		echo "ExecStart is not /usr/local/bin/netsot serve"
		return 1
	}
	(cd "$tmp/systemd" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no \
	    "$tmp/systemd/netsot.service") >"$tmp/systemd/verify.out" 2>&1
	local rc=$?
	cat "$tmp/systemd/verify.out"
	[ $rc -eq 0 ] && [ ! -s "$tmp/systemd/verify.out" ]
}
check "systemd: systemd-analyze verify says nothing" systemd_verify

# The exposure score of the unit as written (0 safest, 10 worst); it is 0.9.
check "systemd: systemd-analyze security exposure at most 2.0" \
	systemd-analyze security --offline=true --no-pager --threshold=20 \
	"$tmp/systemd/netsot.service"

systemd_hardening() {
	local want rc=0
	for want in 'DynamicUser=yes' 'StateDirectory=netsot' 'ProtectSystem=strict' \
	    'NoNewPrivileges=yes' 'SystemCallFilter=@system-service' \
	    'SystemCallFilter=~@privileged @resources .*' 'PrivateTmp=yes' 'ProtectHome=yes' \
	    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'CapabilityBoundingSet=' \
	    'MemoryDenyWriteExecute=yes' 'LockPersonality=yes' \
	    'ExecStartPre=/usr/local/bin/netsot migrate' 'ExecStart=/usr/local/bin/netsot serve'
	do
		grep -qx -- "$want" "$unit" || { echo "missing: $want"; rc=1; }
	done
	return $rc
}
check "systemd: the hardening and the commands are there" systemd_hardening

# The unit's Environment= lines, with the database and the address moved to the test's own.
systemd_env() {
	sed -n 's/^Environment=//p' "$unit"
}
systemd_runs() {
	local dir=$tmp/systemd/run
	mkdir -p "$dir"
	# shellcheck disable=SC2046
	(
		set -e
		for kv in $(systemd_env); do export "${kv?}"; done
		export NETSOT_DB=$dir/netsot.db NETSOT_LISTEN=127.0.0.1:0
		"$bin" migrate
		serve_starts "$dir"
	)
}
check "systemd: netsot migrate and serve run with the unit's settings" systemd_runs

# --- nginx -------------------------------------------------------------------------------
site=$src/deploy/nginx/netsot.conf
ngx=$tmp/nginx
mkdir -p "$ngx/tmp"
nginx_test() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=netsot.test \
	    -keyout "$ngx/key.pem" -out "$ngx/cert.pem" 2>/dev/null || return 1
	# nginx -t binds the listening sockets too: ports 80 and 443 become sockets in the
	# folder, so the test needs neither root nor free ports.
	sed -e "s#/etc/ssl/netsot/fullchain.pem#$ngx/cert.pem#" \
	    -e "s#/etc/ssl/netsot/privkey.pem#$ngx/key.pem#" \
	    -e "s#^\([[:space:]]*listen\) 80;#\1 unix:$ngx/http.sock;#" \
	    -e "s#^\([[:space:]]*listen\) 443 ssl http2;#\1 unix:$ngx/https.sock ssl http2;#" \
	    -e '/listen \[::\]:\(80\|443 ssl http2\);/d' "$site" >"$ngx/site.conf"
	grep -q "$ngx/cert.pem" "$ngx/site.conf" && grep -q "$ngx/key.pem" "$ngx/site.conf" || {
		echo "the site names no /etc/ssl/netsot/fullchain.pem and privkey.pem"
		return 1
	}
	[ "$(grep -c '^[[:space:]]*listen' "$ngx/site.conf")" = 2 ] &&
	    [ "$(grep -c "listen unix:$ngx/" "$ngx/site.conf")" = 2 ] || {
		echo "want listen 80 and listen 443 ssl http2 (and the same on [::])"
		return 1
	}
	cat >"$ngx/nginx.conf" <<-EOF
	pid $ngx/nginx.pid;
	error_log $ngx/error.log;
	events {}
	http {
		access_log $ngx/access.log;
		client_body_temp_path $ngx/tmp/body;
		proxy_temp_path $ngx/tmp/proxy;
		fastcgi_temp_path $ngx/tmp/fastcgi;
		uwsgi_temp_path $ngx/tmp/uwsgi;
		scgi_temp_path $ngx/tmp/scgi;
		include $ngx/site.conf;
	}
	EOF
	nginx -t -q -p "$ngx/" -e "$ngx/error.log" -c "$ngx/nginx.conf"
}
check "nginx: nginx -t accepts the site" nginx_test

# The site's caps are netsot's: the server-wide one is --max-body, the import's
# --max-import-body, as the unit and the Deployment set them.
nginx_caps() {
	local sizes body import want_body want_import rc=0
	sizes=$(sed -n 's/^[[:space:]]*client_max_body_size[[:space:]]*\([0-9]*[kKmMgG]\?\);.*/\1/p' "$site")
	[ "$(echo "$sizes" | wc -l)" -eq 2 ] || { echo "want two client_max_body_size"; return 1; }
	body=$(nginx_bytes "$(echo "$sizes" | sed -n 1p)")
	import=$(nginx_bytes "$(echo "$sizes" | sed -n 2p)")
	sed -n '/location = \/api\/v1\/import {/,/}/p' "$site" | grep -q client_max_body_size || {
		echo "the second client_max_body_size is not in location = /api/v1/import"
		return 1
	}
	want_body=$(sed -n 's/^Environment=NETSOT_MAX_BODY=//p' "$unit")
	want_import=$(sed -n 's/^Environment=NETSOT_MAX_IMPORT_BODY=//p' "$unit")
	echo "nginx $body/$import, unit $want_body/$want_import, deployment $(k3s_args | tr '\n' ' ')"
	[ "$body" = "$want_body" ] || rc=1
	[ "$import" = "$want_import" ] || rc=1
	k3s_args | grep -A1 -x -- --max-body | tail -1 | grep -qx "$body" || rc=1
	k3s_args | grep -A1 -x -- --max-import-body | tail -1 | grep -qx "$import" || rc=1
	return $rc
}

# The render long poll holds a request up to 300 s: nginx must wait longer for the answer.
nginx_longpoll() {
	local t
	t=$(sed -n '/location \/api\/v1\/render\/ {/,/}/s/^[[:space:]]*proxy_read_timeout[[:space:]]*\([0-9]*\)s;/\1/p' "$site")
	echo "proxy_read_timeout for /api/v1/render/: ${t:-none}"
	[ -n "$t" ] && [ "$t" -gt 300 ]
}
check "nginx: proxy_read_timeout over 300 s for the render long poll" nginx_longpoll

# --- K3s ---------------------------------------------------------------------------------
k3s=$src/deploy/k3s
node_modules=$src/tests/deploy/node_modules
# k3s_query JS: prints what the JavaScript expression JS makes of d, the Deployment.
k3s_query() {
	node --input-type=module -e '
		import { readFileSync } from "node:fs";
		import { parseAllDocuments } from "'"$node_modules"'/yaml/dist/index.js";
		for (const doc of parseAllDocuments(readFileSync(process.argv[1], "utf8"),
		    { version: "1.1" })) {
			const d = doc.toJS();
			if (d?.kind === "Deployment")
				console.log(('"$1"'));
		}' "$k3s/netsot.yaml"
}
# The netsot container's args, one a line.
k3s_args() {
	k3s_query 'd.spec.template.spec.containers.find((c) => c.name === "netsot").args.join("\n")'
}
check "nginx: client_max_body_size equals netsot's caps in the unit and the Deployment" \
	nginx_caps

check "k3s: yamllint -s" yamllint -s "$k3s"/*.yaml
if [ -d "$node_modules/kubernetes-models" ]; then
	check "k3s: every object valid against the Kubernetes schema" \
		node "$src/tests/deploy/k8s-check.mjs" "$k3s"/*.yaml
else
	echo "FAIL  k3s: $node_modules is missing (npm ci --prefix tests/deploy)"
	failed=$((failed + 1))
fi

# What SQLite and the hardening need, which the schema cannot know.
k3s_policy() {
	local want got rc=0
	while IFS='|' read -r want expr; do
		got=$(k3s_query "$expr") || return 1
		[ "$got" = "$want" ] || { echo "$expr: $got, want $want"; rc=1; }
	done <<-'EOF'
	1|d.spec.replicas
	Recreate|d.spec.strategy.type
	true|d.spec.template.spec.securityContext.runAsNonRoot
	RuntimeDefault|d.spec.template.spec.securityContext.seccompProfile.type
	/healthz /healthz|(c => c.livenessProbe.httpGet.path + " " + c.readinessProbe.httpGet.path)(d.spec.template.spec.containers[0])
	true|[...d.spec.template.spec.initContainers, ...d.spec.template.spec.containers].every(c => c.securityContext.readOnlyRootFilesystem === true && c.securityContext.allowPrivilegeEscalation === false && c.securityContext.capabilities.drop.join() === "ALL" && c.resources.limits.memory !== undefined)
	true|d.spec.template.spec.volumes.some(v => v.secret?.secretName === "netsot-jwt")
	EOF
	return $rc
}
check "k3s: one replica, Recreate, probes on /healthz, non-root, read-only, no capabilities" \
	k3s_policy

# netsot serve with the Deployment's args, its paths moved into the test's folder.
k3s_runs() {
	local dir=$tmp/k3s args=()
	mkdir -p "$dir"
	head -c 32 /dev/urandom >"$dir/jwt.key" && chmod 600 "$dir/jwt.key"
	mapfile -t args < <(k3s_args | sed "s#^/var/lib/netsot/#$dir/#; s#^/run/netsot/#$dir/#;
	    s#^0\.0\.0\.0:8080\$#127.0.0.1:0#")
	[ "${args[0]}" = serve ] || { echo "the args do not start with serve"; return 1; }
	echo "netsot ${args[*]}"
	"$bin" migrate --db "$dir/netsot.db" && serve_starts "$dir" "${args[@]:1}"
}
check "k3s: netsot serve runs with the Deployment's args" k3s_runs

# --- Ansible -----------------------------------------------------------------------------
# The inventory script asks a real netsot (the seed plan, a viewer's token).
ans=$tmp/ansible
mkdir -p "$ans"
ansible_server() {
	local port i
	"$bin" import "$src/db/seed/hybrid-cloud.json" --db "$ans/netsot.db" >/dev/null &&
	echo 'deploy-check-pass' | "$bin" user add viewer --role viewer --password-stdin \
	    --db "$ans/netsot.db" >/dev/null &&
	echo 'deploy-check-pass' | "$bin" user add admin --role admin --password-stdin \
	    --db "$ans/netsot.db" >/dev/null || return 1
	"$bin" serve --db "$ans/netsot.db" --listen 127.0.0.1:0 2>"$ans/serve.log" &
	server_pid=$!
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on .*(port \([0-9]*\),.*/\1/p' "$ans/serve.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { cat "$ans/serve.log"; return 1; }
	echo "http://127.0.0.1:$port" >"$ans/url"
	curl -fsS --max-time 10 -H 'Content-Type: application/json' \
	    -d '{"username":"viewer","password":"deploy-check-pass"}' \
	    "http://127.0.0.1:$port/api/v1/auth/login" | jq -er .access_token >"$ans/token" &&
	curl -fsS --max-time 10 -H 'Content-Type: application/json' \
	    -d '{"username":"admin","password":"deploy-check-pass"}' \
	    "http://127.0.0.1:$port/api/v1/auth/login" | jq -er .access_token >"$ans/admin"
}
check "ansible: a netsot with the seed plan to ask" ansible_server

# Strict: a broken inventory is an error, not a warning and an empty host list.
ansible_env() {
	env NETSOT_URL="$(cat "$ans/url")" NETSOT_TOKEN="$(cat "$ans/token")" \
	    ANSIBLE_CONFIG="$src/deploy/ansible/ansible.cfg" ANSIBLE_HOME="$ans/home" \
	    ANSIBLE_LOCAL_TEMP="$ans/tmp" ANSIBLE_INVENTORY_ENABLED=script \
	    ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_NOCOLOR=1 "$@"
}
ansible_inventory() {
	(cd "$src/deploy/ansible" && ansible_env ansible-inventory -i inventory --graph) \
	    >"$ans/graph" 2>&1
	local rc=$?
	cat "$ans/graph"
	[ $rc -eq 0 ] && grep -q '^  |--@kind_router:' "$ans/graph" &&
	    grep -q -- '--router$' "$ans/graph"
}
check "ansible: the inventory lists the router in kind_router" ansible_inventory

check "ansible: ansible-playbook --syntax-check" \
	ansible_env ansible-playbook --syntax-check "$src/deploy/ansible/netsot-configs.yml"

check "ansible: yamllint -s" yamllint -s "$src/deploy/ansible/netsot-configs.yml" \
	"$src/deploy/ansible/inventory/group_vars"

# The routes the playbook fetches answer for the router, with the viewer's token.
ansible_routes() {
	local path rc=0
	for path in $(sed -n 's#.*url: "{{ netsot_render }}/\([a-z]*\).*#\1#p' \
	    "$src/deploy/ansible/netsot-configs.yml"); do
		case $path in nftables) path="nftables?host=router" ;; esac
		echo "GET /api/v1/render/$path"
		printf 'Authorization: Bearer %s\n' "$(cat "$ans/token")" |
			curl -fsS --max-time 10 -H @- -o /dev/null "$(cat "$ans/url")/api/v1/render/$path" ||
			rc=1
	done
	return $rc
}
check "ansible: the playbook's render routes answer" ansible_routes

# --- nginx in front of netsot --------------------------------------------------------------
# The site as nginx -t saw it, listening on sockets in the test's folder (nginx cannot take
# a port of the kernel's choosing), proxying to the test's netsot.
nginx_pid=
nginx_live() {
	local port body code rc=0
	port=$(sed 's#.*:##' "$ans/url")
	sed "s#server 127.0.0.1:8080;#server 127.0.0.1:$port;#" "$ngx/site.conf" >"$ngx/live.conf"
	{
		[ "$(id -u)" = 0 ] && echo 'user root;'
		echo 'daemon off;'
		sed "s#include $ngx/site.conf;#include $ngx/live.conf;#" "$ngx/nginx.conf"
	} >"$ngx/live-nginx.conf"
	nginx -p "$ngx/" -e "$ngx/error.log" -c "$ngx/live-nginx.conf" &
	nginx_pid=$!
	for _ in $(seq 50); do
		[ -S "$ngx/https.sock" ] && break
		sleep 0.1
	done
	[ -S "$ngx/https.sock" ] || { cat "$ngx/error.log"; return 1; }
	# http: a redirect to the same place over https
	code=$(curl -sS --unix-socket "$ngx/http.sock" -o /dev/null -w '%{http_code} %{redirect_url}' \
	    "http://netsot.example.org/api/v1/render/dnsmasq")
	echo "http -> $code"
	[ "$code" = "301 https://netsot.example.org/api/v1/render/dnsmasq" ] || rc=1
	# https: the render through TLS is the render netsot gives directly
	printf 'Authorization: Bearer %s\n' "$(cat "$ans/token")" | curl -fsS -k -H @- \
	    --unix-socket "$ngx/https.sock" -o "$ngx/render.tls" \
	    "https://netsot.example.org/api/v1/render/nftables?host=router" || rc=1
	printf 'Authorization: Bearer %s\n' "$(cat "$ans/token")" | curl -fsS -H @- \
	    -o "$ngx/render.direct" "$(cat "$ans/url")/api/v1/render/nftables?host=router" || rc=1
	cmp "$ngx/render.tls" "$ngx/render.direct" && echo "https render: same bytes" || rc=1
	# 2 MiB: over --max-body anywhere but the import, where netsot itself must answer
	head -c $((2 << 20)) /dev/zero | tr '\0' x >"$ngx/2m"
	body=$(curl -sS -k --unix-socket "$ngx/https.sock" -H 'Content-Type: application/json' \
	    --data-binary @"$ngx/2m" -w ' %{http_code} %{content_type}' \
	    "https://netsot.example.org/api/v1/hosts")
	echo "2 MiB POST /api/v1/hosts -> $body" | cut -c1-240
	case $body in *' 413 application/problem+json') ;; *) rc=1 ;; esac
	echo "${body% * *}" | jq -e '.status == 413' >/dev/null || rc=1
	body=$(printf 'Authorization: Bearer %s\n' "$(cat "$ans/admin")" |
	    curl -sS -k --unix-socket "$ngx/https.sock" -H @- -H 'Content-Type: application/json' \
	    --data-binary @"$ngx/2m" "https://netsot.example.org/api/v1/import")
	echo "2 MiB POST /api/v1/import (admin) -> $body" | cut -c1-240
	echo "$body" | jq -e '.instance == "/api/v1/import" and .status != 413' >/dev/null || rc=1
	# netsot gone: a 503 problem, not nginx's HTML page
	kill "$server_pid" && wait "$server_pid"
	server_pid=
	body=$(curl -sS -k --unix-socket "$ngx/https.sock" -w ' %{http_code} %{content_type}' \
	    "https://netsot.example.org/healthz")
	echo "netsot stopped: GET /healthz -> $body" | cut -c1-240
	case $body in *' 503 application/problem+json') ;; *) rc=1 ;; esac
	kill "$nginx_pid"
	wait "$nginx_pid"
	nginx_pid=
	return $rc
}
check "nginx: serving the site: redirect, TLS proxy, body caps, netsot down" nginx_live
[ -n "$nginx_pid" ] && kill "$nginx_pid"

echo "deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
