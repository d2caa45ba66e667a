#!/usr/bin/env bash
# bench/syscall.sh - what a system call costs a program, and how soon a
# program speaks: Kite against a Linux guest under the same QEMU.
#
# bench/syscall/syscallbench.c, built once as an ordinary PIE with the host's
# compiler, runs as a Kite app and as the Linux guest's /init (with the glibc
# it was linked against): getpid, clock_gettime, a 4 KiB pread from a cached
# file, mmap+munmap of 64 KiB. Then apps/hello boots in both, and the time from
# QEMU's start to hello's first line on the console is taken. Rounds are
# interleaved (kite, linux, ...); the script prints the medians and the ratio
# Kite/Linux. See docs/bench.md.
set -euo pipefail

PROG=syscall.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/syscall.sh [-n ROUNDS] [--scale N] [--smp N] [--mem SIZE] [--timeout SECONDS]
  -n ROUNDS      rounds, each boots kite then linux once per measurement (default 5)
  --scale N      multiplies the benchmark's batch sizes (default 1)
  --smp N        virtual CPUs of both guests (default 1)
  --mem SIZE     guest memory, QEMU -m syntax (default 256M)
  --timeout S    limit for one QEMU run (default 120)
environment: KITE_ELF=path boots that file in the Kite slot instead of
             building build/kite.elf with make
EOF
}

rounds=5 scale=1 smp=1 mem=256M
RUN_TIMEOUT=120
while (($#)); do
	case $1 in
	-n) rounds=${2:?-n needs a value}; shift ;;
	--scale) scale=${2:?--scale needs a value}; shift ;;
	--smp) smp=${2:?--smp needs a value}; shift ;;
	--mem) mem=${2:?--mem needs a value}; shift ;;
	--timeout) RUN_TIMEOUT=${2:?--timeout needs a value}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
for v in rounds scale smp RUN_TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} wants a positive integer, not '${!v}'"
done

need_tools qemu-system-x86_64 timeout gcc make

# The two programs, each packed for both guests.
build_app_bench syscallbench "$TOP/bench/syscall/syscallbench.c"
fetch_linux_kernel
mkdir -p "$OUT/linux"
prepare_kite 0
BENCH_INITRD=$OUT/linux/syscallbench.cpio.gz
BENCH_IMAGE=$OUT/syscallbench.cpio
pack_initramfs "$APP_BIN" "$BENCH_INITRD"
pack_kite_image "$APP_BIN" "$BENCH_IMAGE"
BENCH_PROGRAM=$KITE_PROGRAM

make -s -C "$TOP/apps/hello" || die "could not build apps/hello"
HELLO_BIN=$TOP/apps/hello/hello
HELLO_INITRD=$OUT/linux/hello.cpio.gz
HELLO_IMAGE=$OUT/hello.cpio
pack_initramfs "$HELLO_BIN" "$HELLO_INITRD"
pack_kite_image "$HELLO_BIN" "$HELLO_IMAGE"
HELLO_PROGRAM=$KITE_PROGRAM

QEMU_ARGS=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$mem" -smp "$smp"
	-display none -serial stdio -monitor none -no-reboot -nic none "${DEBUG_EXIT[@]}")

METRIC_PREFIX=syscallbench
metric_guest() {
	case $1 in
	kite)
		GUEST_ARGS=(-kernel "$KITE_ELF" -initrd "$BENCH_IMAGE"
			-append "--quiet $BENCH_PROGRAM --scale $scale")
		GUEST_RC=$KITE_RC ;;
	linux)
		# The kernel hands what follows "--" to init.
		GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$BENCH_INITRD"
			-append "$LINUX_APPEND -- --linux-init --scale $scale")
		GUEST_RC=$LINUX_RC ;;
	esac
}

# hello_guest GUEST: sets GUEST_ARGS for a boot of apps/hello. As Linux's
# init, hello returns and the kernel panics; panic=-1 reboots at once, which
# -no-reboot turns into QEMU's exit. Only the first line is waited for.
hello_guest() {
	case $1 in
	kite) GUEST_ARGS=(-kernel "$KITE_ELF" -initrd "$HELLO_IMAGE" -append "--quiet $HELLO_PROGRAM") ;;
	linux) GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$HELLO_INITRD" -append "$LINUX_APPEND panic=-1") ;;
	esac
}

# hello_first_line GUEST ROUND: milliseconds from starting QEMU to the
# console line "Hello from ..."; QEMU is stopped as soon as it is there.
# The console goes to build/bench/hello-GUEST-ROUND.log.
hello_first_line() {
	local guest=$1 round=$2
	local log=$OUT/hello-$guest-$round.log err=$OUT/hello-$guest-$round.err
	local t0 t1='' line fd qemu_pid
	hello_guest "$guest"
	: >"$log"
	t0=$(now)
	exec {fd}< <(exec timeout --kill-after=5 "$RUN_TIMEOUT" "${QEMU_ARGS[@]}" "${GUEST_ARGS[@]}" \
		</dev/null 2>"$err")
	qemu_pid=$!
	while IFS= read -r -u "$fd" line; do
		printf '%s\n' "$line" >>"$log"
		if [[ $line == *"Hello from "* ]]; then
			t1=$(now)
			break
		fi
	done
	kill "$qemu_pid" 2>/dev/null || true
	exec {fd}<&-
	wait "$qemu_pid" 2>/dev/null || true
	[[ -n $t1 ]] || die "$guest guest never printed hello's line (round $round); console: ${log#"$TOP"/}"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

note "q35, tcg, -cpu max, -smp $smp, -m $mem, $rounds rounds (kite, linux, ...)"
metric_rounds "$rounds"

# The hello figure joins the table as one more metric.
metrics+=(hello-first-line-ms)
hello_first_line kite 0 >/dev/null # warm-up: the files into the page cache
for ((r = 1; r <= rounds; r++)); do
	for g in kite linux; do
		ms=$(hello_first_line "$g" "$r")
		values["$g hello-first-line-ms"]+="$ms "
		note "round $r/$rounds $g: hello-first-line-ms $ms"
	done
done

metric_table "syscallbench, q35, tcg, -smp $smp, -m $mem, $rounds interleaved rounds (medians; ns per call, ms to hello's line)"
