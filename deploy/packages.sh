# The Debian packages netsot needs: the one list that deploy/demo.sh and deploy/test.sh share.
# Sourced, not run.

# To build and run the server (and curl and jq, for the README's sessions).
NETSOT_BUILD_PACKAGES="build-essential cmake pkg-config libmicrohttpd-dev libsqlite3-dev
  libjansson-dev libjwt-dev libsodium-dev curl jq"

# To run every test and benchmark: cmocka and libcurl for the API tests, wrk for benchmarks,
# and the programs that consume the rendered configs, which the render tests feed them to
# (tests/consumers.c): nft, iptables-legacy-restore, ufw, named-checkzone, dnsmasq,
# ifup (ifupdown2), yamllint, ansible-inventory; named and dig for the DNS emulation test
# (tests/emulate_dns.py); Chromium with Node.js for the web UI's tests; and clang with its
# libFuzzer runtime for the fuzzers (tests/fuzz).
NETSOT_TEST_PACKAGES="libcmocka-dev libcurl4-openssl-dev curl wrk nftables iptables ufw
  bind9-utils bind9 bind9-dnsutils dnsmasq-base ifupdown2 yamllint ansible-core chromium nodejs
  python3-yaml
  clang libclang-rt-14-dev"

# npm for the web tests' one package (playwright-core, pinned in tests/web/package-lock.json):
# some nodejs packages bring it, Debian's needs its own.
netsot_npm() {
	command -v npm >/dev/null || netsot_install npm
	npm ci --prefix tests/web --no-audit --no-fund --loglevel=error
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
