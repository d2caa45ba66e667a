#!/usr/bin/env bash
# Differential test against a peer on the host: tests/net/peer_server.c serves
# on 127.0.0.1, and apps/netpeer runs on the host (reaching it at 127.0.0.1)
# and in Kite (at 10.0.2.2, through QEMU's user network); stdout and the exit
# status must match. MiB (100 by default) is the size of each bulk transfer.
#   [KERNEL_ARGS="--net-channels=off"] tests/net-peer-test.sh LOGFILE SMP [MiB]
# With PEER_TAP=IFACE (a tap interface with an IPv4 address A, made as root:
# docs/network.md) the peer serves on A and Kite runs on that tap at A+1, so
# that the device offers its offloads (QEMU's user network offers none).
set -euo pipefail
log=$1 smp=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/compare-runs.sh
. "$top/tests/compare-runs.sh"
work=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

make -s -C "$top" image APP=netpeer >/dev/null
peer=127.0.0.1 guest_peer=10.0.2.2 kite_net=(--net) kite_args=()
if [ -n "${PEER_TAP:-}" ]; then
	cidr=$(ip -4 -o addr show dev "$PEER_TAP" 2>/dev/null | awk '{ print $4; exit }')
	[[ $cidr =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.([0-9]+)/([0-9]+)$ ]] || { echo "$PEER_TAP: no IPv4 address"; exit 1; }
	peer=${cidr%/*} guest_peer=$peer kite_net=(--tap "$PEER_TAP")
	kite_args=("--ip=${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1))/${BASH_REMATCH[3]}" "--gw=$peer")
fi
gcc -O2 -pthread -o "$work/peer_server" "$top/tests/net/peer_server.c"
"$work/peer_server" "$peer" >"$work/ports" &
server=$!
for _ in $(seq 50); do [ -s "$work/ports" ] && break; sleep 0.1; done
read -r -a ports <"$work/ports" || true
[ "${#ports[@]}" -eq 6 ] || { echo "the peer server did not start"; exit 1; }

run_on_host "$work/host.out" /netpeer "$top/apps/netpeer/netpeer" "$peer" "${ports[@]}" "$@"
read -ra kernel_args <<<"${KERNEL_ARGS:-}"
KITE_RUN_OPTS="${kite_net[*]}" run_in_kite "$log" "$work/kite.out" "$smp" "$top/build/images/netpeer.cpio" \
	"${kite_args[@]}" "${kernel_args[@]}" /netpeer "$guest_peer" "${ports[@]}" "$@"
{
	echo "--- on the host (status $host_rc):"
	cat "$work/host.out"
} >>"$log"
compare_runs "$host_rc" "$kite_rc" "$work/host.out" "$work/kite.out"
# Both may agree on a failure: the program says so in its output.
[ "$host_rc" -eq 0 ] || { echo "netpeer failed on the host: $(grep -m1 -E 'FAILED|DIFFERS|CORRUPTED|NOT|connect:' "$work/host.out")"; exit 1; }
