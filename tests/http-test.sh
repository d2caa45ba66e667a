#!/usr/bin/env bash
# apps/httpserver in Kite, reached from the host through QEMU's port
# forwarding: CONNS keep-alive connections open at once, with 1 + REQUESTS
# requests each, the answers checked by tests/net/http_client.c, which then
# asks the server to end (GET /quit); it must exit 0.
#   tests/http-test.sh LOGFILE CONNS REQUESTS [run.sh options]
set -euo pipefail
log=$1 conns=$2 requests=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
kite=
cleanup() {
	[ -n "$kite" ] && kill "$kite" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

make -s -C "$top" image APP=httpserver >/dev/null
gcc -O2 -o "$work/http_client" "$top/tests/net/http_client.c"
port=$((20000 + RANDOM % 20000))
timeout "${HTTP_TEST_TIMEOUT:-180}" "$top/scripts/run.sh" --tcg "$@" -p "$port:8080" --initrd "$top/build/images/httpserver.cpio" \
	-- --quiet /httpserver --file /srv/index.html >"$log" 2>&1 </dev/null &
kite=$!
"$work/http_client" "$port" "$conns" "$requests" "$top/apps/httpserver/index.html" >"$work/client.log" &
client=$!
set +e
# Whichever ends first: a guest that stops early fails the test at once.
wait -n "$kite" "$client"
if ! kill -0 "$kite" 2>/dev/null; then
	wait "$kite"
	kite_rc=$?
	kite=
	if kill -0 "$client" 2>/dev/null; then
		kill "$client"
		echo "Kite stopped (status $kite_rc) before the client was done: $(grep -m1 '^kite:' "$log")"
		exit 1
	fi
fi
wait "$client"
client_rc=$?
if [ -n "$kite" ]; then
	wait "$kite"
	kite_rc=$?
	kite=
fi
set -e
cat "$work/client.log" >>"$log"
[ "$client_rc" -eq 0 ] || { echo "the client failed: $(tail -1 "$log")"; exit 1; }
[ "$kite_rc" -eq 0 ] || { echo "Kite exited with $kite_rc"; exit 1; }
grep -qE "^httpserver: served [0-9]+ requests$" "$log" || { echo "the server did not report its count"; exit 1; }
