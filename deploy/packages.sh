# The Debian packages netsot needs: the one list that deploy/demo.sh and deploy/test.sh share.
# Sourced, not run.

# To build and run the server (and curl, jq and sqlite3, for the README's sessions).
NETSOT_BUILD_PACKAGES="build-essential cmake pkg-config libmicrohttpd-dev libsqlite3-dev
  libjansson-dev libjwt-dev libsodium-dev curl jq sqlite3"

# To run every test and benchmark: cmocka and libcurl for the API tests, wrk for benchmarks,
# and the programs that consume the rendered configs, which the render tests feed them to
# (tests/consumers.c): nft, iptables-legacy-restore, ufw, named-checkzone, dnsmasq,
# ifup (ifupdown2), yamllint, ansible-inventory; named and dig for the DNS emulation test
# (tests/emulate_dns.py); Chromium with Node.js for the web UI's tests; python3-jsonschema,
# which checks real answers against api/openapi.yaml (tests/openapi_responses.py); ansible
# (whose netbox.netbox collection's nb_inventory plugin reads the NetBox-compatible inventory)
# with the python3-tz that plugin needs (tests/netbox_inventory.py); openssl, which makes
# the self-signed certificate of the HTTPS test (tests/test_api_ops.c); and clang with its
# libFuzzer runtime for the fuzzers (tests/fuzz).
NETSOT_TEST_PACKAGES="libcmocka-dev libcurl4-openssl-dev curl wrk nftables iptables ufw
  bind9-utils bind9 bind9-dnsutils dnsmasq-base ifupdown2 yamllint ansible-core chromium nodejs
  python3-yaml
  python3-jsonschema
  ansible python3-tz
  openssl
  clang libclang-rt-14-dev"
# And for the deploy test (tests/deploy_check.sh): systemd-analyze and nginx check the
# production files in deploy/.
NETSOT_TEST_PACKAGES="$NETSOT_TEST_PACKAGES systemd nginx"

# npm for the web tests' one package (playwright-core, pinned in tests/web/package-lock.json):
# some nodejs packages bring it, Debian's needs its own. The deploy test's Kubernetes schema
# check has its own pins (kubernetes-models, yaml) in tests/deploy/package-lock.json.
netsot_npm() {
	command -v npm >/dev/null || netsot_install npm
	npm ci --prefix tests/web --no-audit --no-fund --loglevel=error
	npm ci --prefix tests/deploy --no-audit --no-fund --loglevel=error
}

# Installs whichever of the named packages are missing; does nothing when all are there.
netsot_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
