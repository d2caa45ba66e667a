#!/usr/bin/env bash
# Bad input from the network: apps/httpserver in Kite, its card on a QEMU hub
# with QEMU's user network (restricted and without IPv6: it forwards the
# test's HTTP port and relays nothing else) and a dgram netdev that shows
# tests/net/inject.c every frame on the hub. The injector sends the guest
# malformed frames of every kind and a SYN flood through a filter-redirector
# on the card's port, so that only the guest sees them (libslirp 4.7 crashes
# QEMU on some IPv4 fragments). The server must answer
# tests/net/http_client.c before and after, the injector's own checks must
# pass, the server must end on GET /quit with status 0, and the log must show
# no crash.
#   tests/net-malformed-test.sh LOGFILE [run.sh options]
set -euo pipefail
log=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
kite=
cleanup() {
	[ -n "$kite" ] && kill "$kite" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

make -s -C "$top" image APP=httpserver >/dev/null
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$work/inject" "$top/tests/net/inject.c"
gcc -O2 -o "$work/http_client" "$top/tests/net/http_client.c"
# TCP ports for HTTP and for the injector's frames; UDP ports of the netdev
# that copies the hub's frames to the injector (QEMU's end, the injector's).
http_port=$((20000 + RANDOM % 20000))
inject_port=$((http_port + 1))
qemu_port=$((40000 + RANDOM % 10000))
watch_port=$((qemu_port + 10000))
net=(-netdev hubport,id=card,hubid=0 -device virtio-net-pci,netdev=card
	-netdev "user,id=user,restrict=on,ipv6=off,hostfwd=tcp:127.0.0.1:$http_port-:8080"
	-netdev hubport,id=user-port,hubid=0,netdev=user
	-netdev "dgram,id=watch,local.type=inet,local.host=127.0.0.1,local.port=$qemu_port,remote.type=inet,remote.host=127.0.0.1,remote.port=$watch_port"
	-netdev hubport,id=watch-port,hubid=0,netdev=watch
	-chardev "socket,id=inject,host=127.0.0.1,port=$inject_port,server=on,wait=off"
	-object filter-redirector,id=inject-frames,netdev=card,queue=tx,indev=inject)
qemu_args=()
for arg in "${net[@]}"; do
	qemu_args+=(--qemu-arg "$arg")
done
# The console and the host's steps share the log, both appending.
: >"$log"
timeout "${MALFORMED_TEST_TIMEOUT:-180}" "$top/scripts/run.sh" --tcg "$@" "${qemu_args[@]}" \
	--initrd "$top/build/images/httpserver.cpio" \
	-- --quiet /httpserver --file /srv/index.html >>"$log" 2>&1 </dev/null &
kite=$!

# Each step runs on the host while Kite runs: a Kite that stops during one
# fails the test at once, except during the last (which ends the server).
step() {
	local name=$1 kite_may_end=$2
	shift 2
	"$@" >"$work/step.log" 2>&1 &
	local pid=$!
	set +e
	wait -n "$kite" "$pid"
	if ! kill -0 "$kite" 2>/dev/null && kill -0 "$pid" 2>/dev/null && [ "$kite_may_end" = no ]; then
		kill "$pid"
		wait "$kite"
		local rc=$?
		kite=
		cat "$work/step.log" >>"$log"
		echo "Kite stopped (status $rc) during $name: $(grep -m1 -E '^kite: (panic|crash|out of memory)' "$log" || tail -1 "$log")"
		exit 1
	fi
	wait "$pid"
	local rc=$?
	set -e
	cat "$work/step.log" >>"$log"
	[ $rc -eq 0 ] || { echo "$name failed: $(grep -m1 FAIL "$work/step.log" || tail -1 "$work/step.log")"; exit 1; }
}
file=$top/apps/httpserver/index.html
step "the HTTP client before" no "$work/http_client" "$http_port" 4 10 "$file" --keep-server
step "the injector" no "$work/inject" --seed "${INJECT_SEED:-1}" --rounds "${INJECT_ROUNDS:-16}" \
	"$inject_port" "$watch_port"
step "the HTTP client after" yes timeout 60 "$work/http_client" "$http_port" 4 10 "$file"

set +e
wait "$kite"
kite_rc=$?
kite=
set -e
[ "$kite_rc" -eq 0 ] || { echo "Kite exited with $kite_rc"; exit 1; }
if grep -qE '^kite: (panic|crash|out of memory)|assertion|^backtrace:' "$log"; then
	echo "a crash report: $(grep -m1 -E '^kite: (panic|crash|out of memory)|assertion|^backtrace:' "$log")"
	exit 1
fi
grep -qE "^httpserver: served [0-9]+ requests$" "$log" || { echo "the server did not report its count"; exit 1; }
grep -q "^inject: the guest answered throughout" "$log" || { echo "no summary from the injector"; exit 1; }
