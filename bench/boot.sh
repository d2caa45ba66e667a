#!/usr/bin/env bash
# bench/boot.sh - boot-time benchmark: Kite vs a Linux guest vs a bare floor.
#
# Measures the wall time from QEMU start to QEMU exit for three guests on the
# same QEMU machine and options, interleaved (kite linux floor kite linux ...),
# and prints the medians and the ratios Kite/Linux and Kite/floor.
# See docs/bench.md.
set -euo pipefail

PROG=boot.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/boot.sh [-n ROUNDS] [--machine q35|pc] [--mem SIZE] [--kvm]
                     [--timeout SECONDS] [--kite-standin]
  -n ROUNDS        timed rounds, each boots kite, linux, floor once (default 7)
  --machine TYPE   QEMU machine type (default q35)
  --mem SIZE       guest memory, QEMU -m syntax (default 128M)
  --kvm            use KVM instead of TCG (fails if /dev/kvm does not work)
  --timeout S      limit for one QEMU run (default 60)
  --kite-standin   boot a stand-in that prints a "Kite " line, to test this
                   script while build/kite.elf does not exist
environment: KITE_ELF=path boots that file in the Kite slot instead of
             building build/kite.elf with make
EOF
}

rounds=7 machine=q35 mem=128M kvm=0 standin=0
while (($#)); do
	case $1 in
	-n) rounds=${2:?-n needs a value}; shift ;;
	--machine) machine=${2:?--machine needs a value}; shift ;;
	--mem) mem=${2:?--mem needs a value}; shift ;;
	--kvm) kvm=1 ;;
	--timeout) RUN_TIMEOUT=${2:?--timeout needs a value}; shift ;;
	--kite-standin) standin=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive integer, not '$rounds'"
[[ $RUN_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive integer"

set_qemu_base "$machine" "$mem" "$kvm"
prepare_kite "$standin"
prepare_linux
build_floor

guests=(kite linux floor)
declare -A times=()

# One boot; a failure ends the benchmark with a one-line error.
boot_once() {
	local guest=$1 what=$2
	if ! run_guest "$guest"; then
		die "$guest guest failed ($what): $RUN_PROBLEM; console: ${OUT#"$TOP"/}/$guest.log"
	fi
}

accel=tcg
((kvm)) && accel=kvm
note "machine $machine, $accel, -m $mem, $rounds rounds + 1 warm-up round"

# The warm-up round is not timed: it fills the page cache (QEMU, firmware,
# kernel images) and checks every guest before spending time on the others.
for g in "${guests[@]}"; do
	boot_once "$g" "warm-up"
done

# Interleaved, so that slow drift in the machine's load (other jobs move
# absolute times by 30 % or more) hits the three guests alike.
for ((r = 1; r <= rounds; r++)); do
	line=""
	for g in "${guests[@]}"; do
		boot_once "$g" "round $r"
		times[$g]+="$RUN_SECONDS "
		line+=$(printf '  %s %.3f' "$g" "$RUN_SECONDS")
	done
	note "round $r/$rounds:$line"
done

# stats "t1 t2 ..." -> "median min max"
stats() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
		{ v[NR] = $1 }
		END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.6f %.6f %.6f\n", m, v[1], v[NR]
		}'
}

declare -A med=() lo=() hi=()
for g in "${guests[@]}"; do
	read -r "med[$g]" "lo[$g]" "hi[$g]" < <(stats "${times[$g]}")
done

linux_desc=linux
# PACKAGE holds e.g. linux-image-6.1.0-56-amd64_6.1.192-2_amd64
[[ -f $OUT/linux/PACKAGE ]] && linux_desc="linux $(sed -E 's/^linux-image-//; s/_.*//' "$OUT/linux/PACKAGE")"
floor_desc="floor (exits at first instruction)"

w=0
for d in "$KITE_DESC" "$linux_desc" "$floor_desc"; do
	((${#d} > w)) && w=${#d}
done

echo
echo "QEMU start -> exit, $machine, $accel, -m $mem, $rounds interleaved rounds (seconds)"
printf "  %-${w}s %7s %7s %7s\n" guest median min max
for g in "${guests[@]}"; do
	case $g in
	kite) d=$KITE_DESC ;;
	linux) d=$linux_desc ;;
	floor) d=$floor_desc ;;
	esac
	printf "  %-${w}s %7.3f %7.3f %7.3f\n" "$d" "${med[$g]}" "${lo[$g]}" "${hi[$g]}"
done
awk -v k="${med[kite]}" -v l="${med[linux]}" -v f="${med[floor]}" 'BEGIN {
	printf "  Kite/Linux  %.3f\n", k / l
	printf "  Kite/floor  %.3f   (Kite - floor: %+.3f s)\n", k / f, k - f
}'
