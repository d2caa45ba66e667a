#!/usr/bin/env bash
# bench/http-load.sh - sustained load on apps/httpserver in one Kite boot:
# wrk runs back to back against it, and the script reports each run's
# requests/s and errors (connect, read, write, timeouts, non-2xx), and Kite's
# heap figures before the first run and after the last (from the console's
# status key). For the stall checks (one setting of the virtio-net device at a
# time) and the soak; see docs/bench.md.
set -euo pipefail

PROG=http-load.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/http-load.sh [--runs N] [--duration S] [--connections N] [--threads N] [--smp N]
                          [--net-opts OPTS] [--kernel-args ARGS] [--tap IFACE]
  --runs N          wrk runs, back to back, against one boot (default 3)
  --duration S      seconds of each run (default 10)
  --connections N   wrk's open connections (default 32)
  --threads N       wrk's threads (default 2)
  --smp N           virtual CPUs (default 1)
  --net-opts OPTS   options of the virtio-net device, e.g. event_idx=off,
                    mrg_rxbuf=off or disable-modern=on
  --kernel-args A   more Kite options, e.g. --net-channels=off
  --tap IFACE       a tap interface with an IPv4 address instead of QEMU's user
                    network (which itself delays a few requests past wrk's 2 s
                    under load); the guest takes the next address. As root:
                    ip tuntap add kt0 mode tap; ip addr add 192.168.77.1/24 dev kt0;
                    ip link set kt0 up
The exit status is 1 when any run had an error.
EOF
}

runs=3 duration=10 conns=32 threads=2 smp=1 net_opts= kernel_args= tap=
while (($#)); do
	case $1 in
	--runs) runs=${2:?}; shift ;;
	--duration) duration=${2:?}; shift ;;
	--connections) conns=${2:?}; shift ;;
	--threads) threads=${2:?}; shift ;;
	--smp) smp=${2:?}; shift ;;
	--net-opts) net_opts=${2:?}; shift ;;
	--kernel-args) kernel_args=${2:?}; shift ;;
	--tap) tap=${2:?}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
for v in runs duration conns threads smp; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v} wants a positive integer, not '${!v}'"
done
need_tools qemu-system-x86_64 timeout wrk make

make -s -C "$TOP" all image APP=httpserver >/dev/null || die "make image APP=httpserver failed"
mkdir -p "$OUT"
log=$OUT/http-load.log
console=$OUT/http-load.console
rm -f "$console"
mkfifo "$console"
if [[ -n $tap ]]; then
	# The tap's address A.B.C.D/len: the guest takes A.B.C.D+1, the tap is its gateway.
	host_cidr=$(ip -4 -o addr show dev "$tap" 2>/dev/null | awk '{ print $4; exit }')
	[[ $host_cidr =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.([0-9]+)/([0-9]+)$ ]] ||
		die "$tap: no such interface, or it has no IPv4 address"
	host_ip=${host_cidr%/*}
	guest_ip=${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1))
	kernel_args="--ip=$guest_ip/${BASH_REMATCH[3]} --gw=$host_ip $kernel_args"
	url_host=$guest_ip port=8080
	run_opts=(--tcg --smp "$smp" --tap "$tap")
else
	url_host=127.0.0.1 port=$((20000 + RANDOM % 20000))
	run_opts=(--tcg --smp "$smp" -p "$port:8080")
fi
[[ -n $net_opts ]] && run_opts+=(--net-opts "$net_opts")
# shellcheck disable=SC2086 # kernel_args is a list of words
"$TOP/scripts/run.sh" "${run_opts[@]}" --initrd "$TOP/build/images/httpserver.cpio" \
	-- --quiet $kernel_args /httpserver --file /srv/index.html <"$console" >"$log" 2>&1 &
qemu=$!
exec 3>"$console" # the console's input, open until the end
cleanup() {
	exec 3>&-
	kill "$qemu" 2>/dev/null || true
	rm -f "$console"
}
trap cleanup EXIT

waited=0
until grep -q '^httpserver: listening' "$log"; do
	kill -0 "$qemu" 2>/dev/null && ((waited++ < 240)) || die "the server did not start; see ${log#"$TOP"/}"
	sleep 0.5
done
# The status key (Ctrl-T) prints the heap's figures, among others.
heap_line() {
	printf '\024' >&3
	sleep 2
	grep '^heap:' "$log" | tail -1
}
heap_before=$(heap_line)

note "httpserver in Kite, -smp $smp, ${tap:-QEMU user network}${net_opts:+, virtio-net $net_opts}${kernel_args:+, $kernel_args}:" \
	"$runs runs of wrk -t$threads -c$conns -d${duration}s"
total_errors=0
for ((r = 1; r <= runs; r++)); do
	out=$OUT/http-load-$r.wrk
	wrk -t"$threads" -c"$conns" -d"${duration}s" "http://$url_host:$port/" >"$out" 2>&1 || true
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	errors=$(awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $NF }
		END { print n + 0 }' "$out")
	[[ -n $rps ]] || die "run $r: wrk printed no figures; see ${out#"$TOP"/}"
	echo "  run $r: ${rps} requests/s, ${errors} errors$(grep -E 'Socket errors' "$out" | tr -s ' ' | sed 's/^ */ (/; s/$/)/')"
	total_errors=$((total_errors + errors))
done
heap_after=$(heap_line)
echo "  before: ${heap_before:-no heap line}"
echo "  after:  ${heap_after:-no heap line}"
kill -0 "$qemu" 2>/dev/null || die "Kite stopped during the load; see ${log#"$TOP"/}"
echo "  errors in all runs: $total_errors"
((total_errors == 0))
