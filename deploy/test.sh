#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test twice: in the normal build and
# under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/packages.sh
netsot_install $NETSOT_BUILD_PACKAGES $NETSOT_TEST_PACKAGES
netsot_npm

jobs=$(nproc)
for variant in normal sanitize; do
	if [ "$variant" = normal ]; then
		# The fuzzers (clang, libFuzzer) run here, once, whatever an earlier configure chose.
		dir=build; flags=(-DNETSOT_SANITIZE=OFF -DNETSOT_FUZZ=ON)
	else
		dir=build-asan; flags=(-DNETSOT_SANITIZE=ON -DNETSOT_FUZZ=OFF -DCMAKE_BUILD_TYPE=Debug)
	fi
	echo "== $variant build ($dir)"
	# Tests on, whatever an earlier configure of the same folder (demo.sh) chose.
	cmake -S . -B "$dir" -DNETSOT_TESTS=ON "${flags[@]}" >/dev/null
	cmake --build "$dir" -j"$jobs"
	(cd "$dir" && ctest --output-on-failure --no-tests=error -j"$jobs")
done
