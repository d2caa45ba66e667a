#!/usr/bin/env bash
# bench/http.sh - apps/httpserver, the same binary, in Kite and in a Linux
# guest under the same QEMU (same CPUs, memory and user-mode network with a
# port forwarded from the host's 127.0.0.1), driven by wrk from the host.
# Kite runs twice a round: with net channels (the default) and without
# (--net-channels=off). Rounds are interleaved (kite, kite without channels,
# linux, ...); the script prints the median requests/s and latency of each
# and the ratios to Linux. See docs/bench.md.
set -euo pipefail

PROG=http.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/http.sh [-n ROUNDS] [--duration S] [--connections N] [--threads N] [--smp N] [--mem SIZE] [--path PATH]
  -n ROUNDS        rounds, each runs wrk against kite, kite without net channels, then linux (default 3)
  --duration S     seconds of each wrk run (default 10)
  --connections N  wrk's open connections (default 32)
  --threads N      wrk's threads (default 2)
  --smp N          virtual CPUs of both guests (default 1)
  --mem SIZE       guest memory, QEMU -m syntax (default 512M)
  --path PATH      the URL path: / (a fixed body, default) or /file
environment: KITE_ELF=path boots that file in the Kite slot
EOF
}

rounds=3 duration=10 conns=32 threads=2 smp=1 mem=512M path=/
while (($#)); do
	case $1 in
	-n) rounds=${2:?}; shift ;;
	--duration) duration=${2:?}; shift ;;
	--connections) conns=${2:?}; shift ;;
	--threads) threads=${2:?}; shift ;;
	--smp) smp=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--path) path=${2:?}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
for v in rounds duration conns threads smp; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v} wants a positive integer, not '${!v}'"
done
[[ $path == / || $path == /file ]] || die "--path is / or /file"

need_tools qemu-system-x86_64 timeout gcc wrk make cpio gzip

# --- the guests ---------------------------------------------------------------

prepare_kite 0
make -s -C "$TOP" image APP=httpserver >/dev/null || die "make image APP=httpserver failed"
KITE_IMAGE=$TOP/build/images/httpserver.cpio
SERVER=$TOP/apps/httpserver/httpserver

fetch_linux_kernel
# The virtio-net driver and what it needs, as modules of the same kernel
# package (only these files are extracted).
MODULES_DIR=$OUT/linux/modules
NET_MODULES=(virtio_ring.ko virtio.ko virtio_pci_modern_dev.ko virtio_pci_legacy_dev.ko virtio_pci.ko
	failover.ko net_failover.ko virtio_net.ko)
if [[ ! -s $MODULES_DIR/virtio_net.ko ]]; then
	pkg="linux-image-$(sed -E 's/^linux-image-//; s/_.*//' "$OUT/linux/PACKAGE")"
	tmp=$OUT/linux/tmp-modules
	rm -rf "$tmp"
	mkdir -p "$tmp" "$MODULES_DIR"
	chmod 0777 "$tmp" 2>/dev/null || true
	note "fetching $pkg for its virtio-net modules (once)"
	(cd "$tmp" && apt-get download -q "$pkg" >"$tmp/apt.log" 2>&1) || die "apt-get download $pkg failed"
	patterns=()
	for m in "${NET_MODULES[@]}"; do patterns+=("*/$m"); done
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards "${patterns[@]}" ||
		die "could not extract the virtio-net modules"
	find "$tmp" -name '*.ko' -exec mv {} "$MODULES_DIR/" \;
	rm -rf "$tmp"
fi

# The Linux guest's initramfs: netinit as /init, the modules, the server with
# the glibc it was linked against, and the file it serves.
LINUX_INITRD=$OUT/linux/httpserver.cpio.gz
root=$OUT/linux/httpserver-root
rm -rf "$root"
mkdir -p "$root/modules" "$root/srv"
gcc -static -O2 -Wall -o "$root/init" "$TOP/bench/linux-guest/netinit.c" ||
	die "could not build bench/linux-guest/netinit.c (static glibc: libc6-dev)"
cp "$MODULES_DIR"/*.ko "$root/modules/"
cp "$SERVER" "$root/httpserver"
cp "$TOP/apps/httpserver/index.html" "$root/srv/index.html"
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done < <(ldd "$SERVER" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$LINUX_INITRD"
rm -rf "$root"

PORT=$((20000 + RANDOM % 20000))
# shellcheck disable=SC2054 # the commas belong to the -device value
QEMU_ARGS=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$mem" -smp "$smp" -display none
	-monitor none -no-reboot "${DEBUG_EXIT[@]}"
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:8080" -device virtio-net-pci,netdev=n0)
SERVER_ARGS="/httpserver --file /srv/index.html"

guest_args() {
	case $1 in
	kite) GUEST_ARGS=(-kernel "$KITE_ELF" -initrd "$KITE_IMAGE" -append "--quiet $SERVER_ARGS") ;;
	kite-nochannels) GUEST_ARGS=(-kernel "$KITE_ELF" -initrd "$KITE_IMAGE"
		-append "--quiet --net-channels=off $SERVER_ARGS") ;;
	linux) GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
		-append "$LINUX_APPEND panic=-1 -- $SERVER_ARGS") ;;
	esac
}

# Whether the server answers on the forwarded port (in a subshell: a failed
# redirection of exec would end the script).
answers() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
		printf 'GET / HTTP/1.0\r\n\r\n' >&3
		read -r -t 5 line <&3 || exit 1
		[[ $line == HTTP/1.1\ 200* ]]
	) 2>/dev/null
}

declare -A rps=() latency=() errors=()

# run_once GUEST ROUND: boots the guest, waits for the server, runs wrk.
run_once() {
	local guest=$1 round=$2
	local log=$OUT/http-$guest-$round.log wrk_out=$OUT/http-$guest-$round.wrk
	guest_args "$guest"
	"${QEMU_ARGS[@]}" "${GUEST_ARGS[@]}" -serial "file:$log" </dev/null >/dev/null 2>&1 &
	local qemu=$!
	local waited=0
	until answers; do
		if ! kill -0 "$qemu" 2>/dev/null || ((waited++ > 240)); then
			kill "$qemu" 2>/dev/null || true
			die "$guest: the server did not answer within 120 s; console: ${log#"$TOP"/}"
		fi
		sleep 0.5
	done
	wrk -t"$threads" -c"$conns" -d"${duration}s" "http://127.0.0.1:$PORT$path" >"$wrk_out" 2>&1 || true
	kill "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	local r l
	r=$(awk '/^Requests\/sec:/ { print $2 }' "$wrk_out")
	l=$(awk '$1 == "Latency" { print $2 }' "$wrk_out")
	[[ -n $r ]] || die "$guest: wrk printed no figures; see ${wrk_out#"$TOP"/}"
	if grep -qE 'Non-2xx|Socket errors' "$wrk_out"; then
		note "$guest round $round: errors: $(grep -E 'Non-2xx|Socket errors' "$wrk_out" | tr -s ' ')"
	fi
	# Every error wrk counts: connect, read, write, timeout, and non-2xx answers.
	local e
	e=$(awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $NF } END { print n + 0 }' "$wrk_out")
	errors[$guest]=$((${errors[$guest]:-0} + e))
	# wrk prints latency with a unit: us, ms or s.
	l=$(awk -v v="$l" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.3f", n }')
	rps[$guest]+="$r "
	latency[$guest]+="$l "
	note "round $round/$rounds $guest: $r requests/s, latency $l ms"
}

note "q35, tcg, -cpu max, -smp $smp, -m $mem, wrk -t$threads -c$conns -d${duration}s $path, $rounds rounds"
for ((r = 1; r <= rounds; r++)); do
	for g in kite kite-nochannels linux; do
		run_once "$g" "$r"
	done
done

k=$(median "${rps[kite]}")
kn=$(median "${rps[kite-nochannels]}")
l=$(median "${rps[linux]}")
kl=$(median "${latency[kite]}")
knl=$(median "${latency[kite-nochannels]}")
ll=$(median "${latency[linux]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "httpserver, q35, tcg, -smp $smp, -m $mem, QEMU user network, wrk -t$threads -c$conns -d${duration}s $path, $rounds interleaved rounds (medians)"
echo "  $KITE_DESC vs $(linux_description)"
printf "  %-22s %12s %14s %12s %12s %14s\n" metric kite "kite-nochan" linux kite/linux "nochan/linux"
printf "  %-22s %12s %14s %12s %12s %14s\n" "requests/s" "$k" "$kn" "$l" "$(ratio "$k" "$l")" "$(ratio "$kn" "$l")"
printf "  %-22s %12s %14s %12s %12s %14s\n" "mean latency (ms)" "$kl" "$knl" "$ll" "$(ratio "$kl" "$ll")" "$(ratio "$knl" "$ll")"
printf "  %-22s %12s %14s %12s\n" "wrk errors, all rounds" "${errors[kite]}" "${errors[kite-nochannels]}" "${errors[linux]}"
