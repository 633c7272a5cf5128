#!/usr/bin/env bash
# Sets up and starts netsot on 127.0.0.1:8080 with a demo database in var/ holding the seed plan
# (db/seed/hybrid-cloud.json).
# Safe to run again: the database is kept, and the admin password is printed only when the
# database is made. Delete var/ to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/packages.sh
netsot_install $NETSOT_BUILD_PACKAGES

cmake -S . -B build -DNETSOT_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target netsot >/dev/null

db=var/demo.db
mkdir -p var
if [ ! -e "$db" ]; then
	build/netsot migrate --db "$db"
	# The seed plan: the estate of the seed document, as a plan file.
	build/netsot import db/seed/hybrid-cloud.json --db "$db" >/dev/null
	echo "loaded the seed plan from db/seed/hybrid-cloud.json"
	password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf '%s\n' "$password" | build/netsot user add admin --role admin --password-stdin --db "$db"
	echo
	echo "  demo user: admin"
	echo "  password:  $password   (shown once; keep it)"
	echo
else
	echo "using the existing demo database $db (its admin password was shown when it was made;"
	echo "delete var/ to start over)"
fi
echo "netsot on http://127.0.0.1:8080 - open it in a browser for the web UI, or try:"
echo "  curl -s -X POST -H 'Content-Type: application/json' \\"
echo "    -d '{\"username\":\"admin\",\"password\":\"...\"}' http://127.0.0.1:8080/api/v1/auth/login"
exec build/netsot serve --db "$db" --listen 127.0.0.1:8080
