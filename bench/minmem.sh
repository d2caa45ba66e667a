#!/usr/bin/env bash
# bench/minmem.sh - smallest guest memory (QEMU -m, in whole MiB, or in 8 KiB
# steps with --kib) with which Kite boots to its banner and exits 0; with
# --linux, the same for the Linux guest of bench/boot.sh. Bisection; see
# docs/bench.md.
set -euo pipefail

PROG=minmem.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/minmem.sh [--linux] [--no-kite] [--kib] [--machine q35|pc] [--kvm]
                       [--timeout SECONDS] [--kite-standin]
  --linux          also find the minimum for the Linux guest
  --no-kite        skip Kite (with --linux: only the Linux guest)
  --kib            search in 8 KiB steps (QEMU's granularity) instead of MiB
  --machine TYPE   QEMU machine type (default q35)
  --kvm            use KVM instead of TCG
  --timeout S      limit for one QEMU run (default 20 for Kite, 60 for Linux)
  --kite-standin   use the stand-in kernel in the Kite slot (tests this script)
environment: KITE_ELF=path boots that file instead of building build/kite.elf
EOF
}

machine=q35 kvm=0 standin=0 do_kite=1 do_linux=0 timeout='' step=1024
while (($#)); do
	case $1 in
	--linux) do_linux=1 ;;
	--no-kite) do_kite=0 ;;
	--kib) step=8 ;;
	--machine) machine=${2:?--machine needs a value}; shift ;;
	--kvm) kvm=1 ;;
	--timeout) timeout=${2:?--timeout needs a value}; shift ;;
	--kite-standin) standin=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
((do_kite || do_linux)) || die "nothing to do (--no-kite without --linux)"
[[ -z $timeout || $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive integer"

# The memory size is added per run (-m ...K after QEMU_BASE: the last -m wins).
set_qemu_base "$machine" 128M "$kvm"
((do_kite)) && prepare_kite "$standin"
if ((do_linux)); then
	prepare_linux
	# With too little memory Linux panics (e.g. cannot unpack the initramfs or
	# run /init); Debian's kernel then waits forever. panic=-1 reboots at once,
	# which -no-reboot turns into a QEMU exit, so a failed probe costs seconds
	# rather than the whole timeout. It does not change a successful boot.
	LINUX_EXTRA_APPEND='panic=-1'
fi

# "5 MiB" or "1234 KiB (1.21 MiB)"
human() {
	if (($1 % 1024 == 0)); then
		echo "$(($1 / 1024)) MiB"
	else
		awk -v k="$1" 'BEGIN { printf "%d KiB (%.2f MiB)\n", k, k / 1024 }'
	fi
}

# boots_with GUEST KIB: one boot; a progress line; status 0 if it worked.
boots_with() {
	local guest=$1 kib=$2 m
	m=$(human "$kib")
	if run_guest "$guest" -m "${kib}K"; then
		note "$guest -m $m: ok ($(printf '%.2f' "$RUN_SECONDS") s)"
	else
		# Keep the console of every failed probe: run_guest overwrites its log.
		cp "$OUT/$guest.log" "$OUT/minmem-$guest-${kib}K.log"
		note "$guest -m $m: fails: $RUN_PROBLEM (console: ${OUT#"$TOP"/}/minmem-$guest-${kib}K.log)"
		return 1
	fi
}

# find_min GUEST START_MIB: sets MIN_KIB. Bisection over multiples of $step
# KiB. QEMU accepts any -m down to 8 KiB (rounding up to 8 KiB), but `-m 0`
# means the default, 128 MiB, so the lowest size tried is one step. Assumes
# that every size above the minimum works too.
find_min() {
	local guest=$1 hi=$(($2 * 1024)) lo=0 mid
	local cap=$((4096 * 1024))
	# Find a size that works, doubling from the starting guess.
	until boots_with "$guest" "$hi"; do
		lo=$hi
		hi=$((hi * 2))
		((hi <= cap)) || die "$guest does not boot even with -m $(human "$lo") (console: ${OUT#"$TOP"/}/$guest.log)"
	done
	# Invariant: hi boots; lo does not (lo = 0 stands for "nothing smaller").
	while ((hi - lo > step)); do
		mid=$(((lo + hi) / 2 / step * step))
		if boots_with "$guest" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	# Boot once more at the answer: a flaky boot would otherwise go unnoticed.
	boots_with "$guest" "$hi" || die "$guest booted once with -m $(human "$hi") but not a second time"
	MIN_KIB=$hi
}

# Too little memory often makes a guest hang (in the firmware, say) rather than
# fail, so every failed probe near the bottom costs a whole timeout: keep it
# short for Kite, which boots in well under a second when it works.
results=()
if ((do_kite)); then
	RUN_TIMEOUT=${timeout:-20}
	find_min kite 32
	results+=("kite: minimum memory $(human "$MIN_KIB")")
fi
if ((do_linux)); then
	RUN_TIMEOUT=${timeout:-60}
	find_min linux 128
	results+=("linux: minimum memory $(human "$MIN_KIB")")
fi

accel=tcg
((kvm)) && accel=kvm
echo "($machine, $accel, other options as bench/boot.sh)"
printf '%s\n' "${results[@]}"
