#!/usr/bin/env bash
# bench/sched.sh - scheduler benchmark: the same C program in Kite and in a
# Linux guest.
#
# bench/sched/schedbench.c does the measuring; it is compiled into Kite with
# os_kite.c (run with --bench=sched) and into a static Linux program with
# os_linux.c (the guest's /init). Both guests boot under the same QEMU
# options, interleaved (kite linux kite linux ...); the script prints, per
# metric, the median of each system over the rounds and the ratio Kite/Linux.
# See docs/bench.md.
set -euo pipefail

PROG=sched.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/sched.sh [-n ROUNDS] [--smp N] [--mem SIZE] [--timeout SECONDS]
  -n ROUNDS      rounds, each boots kite then linux once (default 3)
  --smp N        virtual CPUs of both guests (default 2)
  --mem SIZE     guest memory, QEMU -m syntax (default 256M)
  --timeout S    limit for one QEMU run (default 180)
environment: KITE_ELF=path boots that file in the Kite slot instead of
             building build/kite.elf with make
EOF
}

rounds=3 smp=2 mem=256M
RUN_TIMEOUT=180
while (($#)); do
	case $1 in
	-n) rounds=${2:?-n needs a value}; shift ;;
	--smp) smp=${2:?--smp needs a value}; shift ;;
	--mem) mem=${2:?--mem needs a value}; shift ;;
	--timeout) RUN_TIMEOUT=${2:?--timeout needs a value}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive integer, not '$rounds'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp wants a positive integer, not '$smp'"
[[ $RUN_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive integer"

need_tools qemu-system-x86_64 timeout gcc

# --- the two guests ---------------------------------------------------------

# The Linux side: the benchmark as a static program, and an initramfs whose
# /init is that program.
SCHED_SRC=$TOP/bench/sched
SCHED_BIN=$OUT/schedbench
SCHED_INITRD=$OUT/linux/schedbench.cpio.gz
mkdir -p "$OUT/linux"
if [[ ! -e $SCHED_BIN || $SCHED_SRC/schedbench.c -nt $SCHED_BIN ||
	$SCHED_SRC/schedbench.h -nt $SCHED_BIN || $SCHED_SRC/os_linux.c -nt $SCHED_BIN ]]; then
	gcc -O2 -static -pthread -Wall -o "$SCHED_BIN" \
		"$SCHED_SRC/schedbench.c" "$SCHED_SRC/os_linux.c" ||
		die "could not build bench/sched/os_linux.c (static glibc: libc6-dev)"
fi
fetch_linux_kernel
pack_initramfs "$SCHED_BIN" "$SCHED_INITRD"

# The Kite side: build/kite.elf (with the benchmark linked in), or $KITE_ELF.
prepare_kite 0

# Everything but the guest is the same for both: machine, CPU model, memory,
# CPUs, devices. The Linux guest does not use isa-debug-exit, but has it too.
QEMU_ARGS=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$mem" -smp "$smp"
	-display none -serial stdio -monitor none -no-reboot -nic none "${DEBUG_EXIT[@]}")

METRIC_PREFIX=schedbench
# Sets GUEST_ARGS and GUEST_RC (QEMU's exit status when the guest is done).
metric_guest() {
	case $1 in
	kite)
		GUEST_ARGS=(-kernel "$KITE_ELF" -append "--bench=sched")
		GUEST_RC=$KITE_RC ;;
	linux)
		GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$SCHED_INITRD" -append "$LINUX_APPEND")
		GUEST_RC=$LINUX_RC ;;
	esac
}

note "q35, tcg, -cpu max, -smp $smp, -m $mem, $rounds rounds (kite, linux, ...)"
metric_rounds "$rounds"
metric_table "schedbench, q35, tcg, -smp $smp, -m $mem, $rounds interleaved rounds (medians, ns per operation)"
