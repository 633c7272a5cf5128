#!/usr/bin/env bash
# Sets up and starts netsot with a demo database holding the seed plan
# (db/seed/hybrid-cloud.json), on 127.0.0.1:8080 unless told otherwise.
# Safe to run again: the database is kept, and the admin password is printed only when the
# database is made. Delete var/ to start over.
#
# usage: ./deploy/demo.sh [--listen ADDR:PORT] [--db FILE] [--bin FILE]
#   --listen ADDR:PORT  where to serve (default 127.0.0.1:8080); 0.0.0.0:8080 lets other hosts
#                       in, port 0 takes a free port (the one printed is the real one)
#   --db FILE           the demo database (default var/demo.db), made when it is missing
#   --bin FILE          serve with this netsot binary: install nothing, build nothing (the
#                       readme test runs the demo this way)
set -euo pipefail

listen=127.0.0.1:8080 db= bin=
while [ $# -gt 0 ]; do
	case $1 in
	--listen | --db | --bin)
		[ $# -ge 2 ] || { echo "demo.sh: $1 needs a value" >&2; exit 2; }
		case $1 in
		--listen) listen=$2 ;;
		--db) db=$2 ;;
		--bin) bin=$2 ;;
		esac
		shift 2
		;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*)
		echo "demo.sh: unknown argument '$1' (try --help)" >&2
		exit 2
		;;
	esac
done
# Paths given relative to where the user stands, before moving to the repository.
case $db in "" | /*) ;; *) db=$PWD/$db ;; esac
case $bin in "" | /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.."
db=${db:-var/demo.db}

if [ -z "$bin" ]; then
	. deploy/packages.sh
	netsot_install $NETSOT_BUILD_PACKAGES
	# Configure only a build folder that has never been configured: a configured one (by an
	# earlier demo, deploy/test.sh or by hand) reconfigures itself when CMakeLists.txt changes,
	# and keeps its own choices (tests on or off) so demo and test do not undo each other.
	[ -e build/CMakeCache.txt ] || cmake -S . -B build -DNETSOT_TESTS=OFF >/dev/null
	cmake --build build -j"$(nproc)" --target netsot >/dev/null
	bin=build/netsot
fi

# host and port of --listen, and the host a browser on this machine uses.
host=${listen%:*} port=${listen##*:}
case $host in
0.0.0.0) local_host=127.0.0.1 ;;
"[::]") local_host="[::1]" ;;
*) local_host=$host ;;
esac

busy() {
	echo "demo.sh: cannot serve on $listen: port $port is taken. Is an earlier ./deploy/demo.sh" >&2
	echo "still running? (ss -ltnp 'sport = :$port' names the process.) Stop it, or choose" >&2
	echo "another port: ./deploy/demo.sh --listen $host:$((port == 65535 ? 8081 : port + 1))" >&2
}
# Something already answers there: say so now, with the port, before making anything.
probe=${local_host#[}
probe=${probe%]}
if [ "$port" != 0 ] && (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then
	busy
	exit 1
fi

mkdir -p "$(dirname "$db")"
if [ ! -e "$db" ]; then
	"$bin" migrate --db "$db"
	# The seed plan: the estate of the seed document, as a plan file.
	"$bin" import db/seed/hybrid-cloud.json --db "$db" >/dev/null
	echo "loaded the seed plan from db/seed/hybrid-cloud.json"
	password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf '%s\n' "$password" | "$bin" user add admin --role admin --password-stdin --db "$db"
	echo
	echo "  demo user: admin"
	echo "  password:  $password   (shown once; keep it)"
	echo
else
	echo "using the existing demo database $db (its admin password was shown when it was made;"
	echo "delete it to start over)"
fi

# The server's log goes on to standard error as it is; its "listening on ... (port N, ...)"
# line, written once the socket is bound, brings the address to open (the real port, also for
# port 0). A failed bind says which port was taken.
watch_log() {
	local line p
	trap '' INT # a Ctrl-C stops the server: pass on its last lines
	while IFS= read -r line; do
		printf '%s\n' "$line" >&2
		case $line in
		*" listening on "*"(port "*)
			p=${line##*(port }
			p=${p%%,*}
			echo "netsot on http://$local_host:$p/ - open it in a browser for the web UI, or try:"
			echo "  curl -s -X POST -H 'Content-Type: application/json' \\"
			echo "    -d '{\"username\":\"admin\",\"password\":\"...\"}' http://$local_host:$p/api/v1/auth/login"
			[ "$host" = "$local_host" ] ||
				echo "(other hosts: http://$(hostname -f 2>/dev/null || hostname):$p/)"
			;;
		*"cannot listen on"*) busy ;;
		esac
	done
}
exec "$bin" serve --db "$db" --listen "$listen" 2> >(watch_log)
