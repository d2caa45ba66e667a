#!/usr/bin/env bash
# TCP through lwIP and virtio-net to a peer on the host: an echo server on
# 127.0.0.1 (the guest reaches it as 10.0.2.2 through QEMU's user network);
# --selftest=tcp sends 8 MiB and checks every byte of the echo.
#   tests/net-tcp-test.sh LOGFILE [run.sh options] [-- kernel options]
set -euo pipefail
log=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

run_opts=() kernel_opts=()
while (($#)) && [ "$1" != "--" ]; do run_opts+=("$1"); shift; done
(($#)) && shift
kernel_opts=("$@")

gcc -O2 -o "$work/echo_server" "$top/tests/net/echo_server.c"
"$work/echo_server" >"$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
[ -n "$port" ] || { echo "the echo server did not start"; exit 1; }

set +e
timeout 120 "$top/scripts/run.sh" --tcg "${run_opts[@]}" \
	--qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0 --qemu-arg -netdev --qemu-arg user,id=n0 \
	-- "${kernel_opts[@]}" --selftest=tcp --test-peer="10.0.2.2:$port" >"$log" 2>&1 </dev/null
rc=$?
set -e
[ "$rc" -eq 0 ] || { echo "exit status $rc"; exit 1; }
grep -qE '^selftest: tcp: 8 MiB echoed and verified in [0-9]+ ms: ok$' "$log" || { echo "no success line"; exit 1; }
grep -qE '^kite: eth0: 10\.0\.2\.15$' "$log" || { echo "no address line"; exit 1; }
