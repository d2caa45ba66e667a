#!/usr/bin/env bash
# bench/files.sh - file-system benchmark: the same program on Kite's ramfs and
# on a Linux guest's tmpfs.
#
# bench/files/filebench.c, built once as an ordinary PIE with the host's
# compiler, runs as a Kite app and as the Linux guest's /init (with the glibc
# it was linked against). It writes and reads back a 256 MiB file with 4 KiB
# and with 1 MiB buffers, then creates, stats and unlinks 10,000 files. Both
# guests boot under the same QEMU options, interleaved; the script prints the
# median of each figure and the ratio Kite/Linux. See docs/bench.md.
set -euo pipefail

PROG=files.sh
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench/files.sh [-n ROUNDS] [--size MIB] [--files N] [--smp N] [--mem SIZE] [--timeout SECONDS]
  -n ROUNDS      rounds, each boots kite then linux once (default 3)
  --size MIB     the sequential file's size (default 256)
  --files N      files in the create/stat/unlink loop (default 10000)
  --smp N        virtual CPUs of both guests (default 1)
  --mem SIZE     guest memory, QEMU -m syntax (default 1G; the file lives in it)
  --timeout S    limit for one QEMU run (default 300)
environment: KITE_ELF=path boots that file in the Kite slot instead of
             building build/kite.elf with make
EOF
}

rounds=3 size=256 files=10000 smp=1 mem=1G
RUN_TIMEOUT=300
while (($#)); do
	case $1 in
	-n) rounds=${2:?-n needs a value}; shift ;;
	--size) size=${2:?--size needs a value}; shift ;;
	--files) files=${2:?--files needs a value}; shift ;;
	--smp) smp=${2:?--smp needs a value}; shift ;;
	--mem) mem=${2:?--mem needs a value}; shift ;;
	--timeout) RUN_TIMEOUT=${2:?--timeout needs a value}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
for v in rounds size files smp RUN_TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} wants a positive integer, not '${!v}'"
done

need_tools qemu-system-x86_64 timeout gcc

build_app_bench filebench "$TOP/bench/files/filebench.c"
fetch_linux_kernel
mkdir -p "$OUT/linux"
FILES_INITRD=$OUT/linux/filebench.cpio.gz
pack_initramfs "$APP_BIN" "$FILES_INITRD"
prepare_kite 0
FILES_IMAGE=$OUT/filebench.cpio
pack_kite_image "$APP_BIN" "$FILES_IMAGE"

QEMU_ARGS=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$mem" -smp "$smp"
	-display none -serial stdio -monitor none -no-reboot -nic none "${DEBUG_EXIT[@]}")
BENCH_ARGS="--size $size --files $files"

METRIC_PREFIX=filebench
metric_guest() {
	case $1 in
	kite)
		GUEST_ARGS=(-kernel "$KITE_ELF" -initrd "$FILES_IMAGE"
			-append "--quiet $KITE_PROGRAM $BENCH_ARGS")
		GUEST_RC=$KITE_RC ;;
	linux)
		# The kernel hands what follows "--" to init.
		GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$FILES_INITRD"
			-append "$LINUX_APPEND -- --linux-init $BENCH_ARGS")
		GUEST_RC=$LINUX_RC ;;
	esac
}

note "q35, tcg, -cpu max, -smp $smp, -m $mem, $size MiB, $files files, $rounds rounds (kite, linux, ...)"
metric_rounds "$rounds"
metric_table "filebench, q35, tcg, -smp $smp, -m $mem, $size MiB file, $files files, $rounds interleaved rounds (medians; ms per file pass, us per file)"
