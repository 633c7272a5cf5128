#!/bin/sh
# The layers of DESIGN.md section 1, checked: nothing below server/http and server/cli includes
# libmicrohttpd or a header of server/http, and the command line never makes a request (it
# calls the domain with an actor). Usage: layering.sh SOURCE_DIR
set -u
src=${1:-.}
cd "$src" || exit 2
fail=0

# Known debts, "file: header", each to be removed when it is paid.
allowed=''

http_headers=$(cd server/http && ls *.h)
for dir in server/domain server/store server/lib server/render; do
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^">]*\)[">].*/\1/p' "$f"); do
			bad=0
			[ "$h" = microhttpd.h ] && bad=1
			for hh in $http_headers; do
				[ "$h" = "$hh" ] && bad=1
			done
			[ $bad -eq 1 ] || continue
			if printf '%s\n' "$allowed" | grep -qxF "$f: $h"; then
				echo "layering: known debt: $f includes $h"
				continue
			fi
			echo "layering: $f includes $h (a header of server/http or libmicrohttpd)"
			fail=1
		done
	done
done

# The command line builds an actor, never a struct req.
if grep -n 'struct[[:space:]]\{1,\}req\b' server/cli/*.c server/cli/*.h; then
	echo "layering: server/cli constructs or names a struct req"
	fail=1
fi

[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
