# shellcheck shell=bash disable=SC2034 # (variables are used by the scripts that source this)
# bench/lib.sh - shared by bench/boot.sh and bench/minmem.sh (sourced, not run).
#
# Builds the three guests into build/bench/ and runs one QEMU boot of a guest,
# checking that it printed its line and exited with the expected status.
# The including script sets PROG (its name, for messages) before sourcing.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$TOP/build/bench

# What each guest must print on the serial console (an extended regex, matched
# against whole lines after clean_serial) and its expected QEMU exit status.
# isa-debug-exit makes QEMU exit with (value << 1) | 1: Kite writes 0 -> 1,
# the floor writes 0x2a -> 85. The Linux guest powers off -> 0.
# The Linux line is not anchored: Linux's real-mode setup code goes through the
# BIOS video services, which SeaBIOS echoes on the serial console as terminal
# escapes and a stray '.', in front of the first line the guest prints.
KITE_LINE='^Kite '
LINUX_LINE='linux-guest: hello$'
KITE_RC=1
LINUX_RC=0
FLOOR_RC=85

LINUX_APPEND='console=ttyS0 quiet rdinit=/init'
# shellcheck disable=SC2054 # the commas belong to the -device value
DEBUG_EXIT=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

note() {
	echo "$PROG: $*" >&2
}

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || die "'$t' not found (see docs/bench.md for the packages)"
	done
}

# Wall-clock seconds with microseconds; bash 5 has it without forking date.
now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		echo "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}

# --- building the guests ----------------------------------------------------

# $1: output ELF, $2...: extra `as` arguments.
assemble_floor() {
	local elf=$1
	shift
	local src=$TOP/bench/floor/floor.S
	if [[ ! -e $elf || $src -nt $elf ]]; then
		mkdir -p "$OUT"
		as --32 "$@" -o "$elf.o" "$src"
		# -n: no page alignment, so the multiboot header stays near the file start.
		ld -m elf_i386 -n -nostdlib -Ttext=0x100000 -e _start -o "$elf" "$elf.o"
		rm -f "$elf.o"
	fi
}

build_floor() {
	FLOOR_ELF=$OUT/floor.elf
	need_tools as ld
	assemble_floor "$FLOOR_ELF" || die "could not assemble bench/floor/floor.S"
}

# Sets KITE_ELF and KITE_DESC. Order: --kite-standin, $KITE_ELF, then
# `make -s build/kite.elf` at the top of the repository.
prepare_kite() {
	local standin=$1
	if ((standin)); then
		need_tools as ld
		KITE_ELF=$OUT/kite-standin.elf
		assemble_floor "$KITE_ELF" --defsym KITE_STANDIN=1 ||
			die "could not assemble the Kite stand-in"
		KITE_DESC="kite (STAND-IN, not the real kernel)"
	elif [[ -n ${KITE_ELF:-} ]]; then
		[[ -f $KITE_ELF ]] || die "KITE_ELF=$KITE_ELF: no such file"
		KITE_DESC="kite ($KITE_ELF)"
	else
		KITE_ELF=$TOP/build/kite.elf
		# make's own diagnostics go to stderr above our one-line error.
		(cd "$TOP" && make -s build/kite.elf) ||
			die "could not build build/kite.elf ('make -s build/kite.elf' failed)"
		[[ -f $KITE_ELF ]] || die "build/kite.elf missing after 'make -s build/kite.elf'"
		KITE_DESC="kite"
	fi
}

# Debian's kernel, cached in build/bench/linux/: the linux-image-6.1.0-*-amd64
# package that the linux-image-amd64 metapackage depends on. Only vmlinuz is
# extracted (the modules are not needed and take ~400 MB); the package is not
# installed. Sets LINUX_KERNEL.
fetch_linux_kernel() {
	local dir=$OUT/linux
	LINUX_KERNEL=$dir/vmlinuz
	[[ -s $LINUX_KERNEL ]] && return 0

	need_tools apt-cache apt-get dpkg-deb tar
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }')
	[[ -n $pkg ]] || die "cannot find the kernel package linux-image-amd64 depends on (apt-get update?)"

	note "fetching $pkg (once; cached in build/bench/linux/)"
	local tmp=$dir/tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# apt's sandbox user _apt must be able to write the download directory,
	# else apt warns and downloads as root anyway; either way works.
	chmod 0777 "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download -q "$pkg" >"$tmp/apt.log" 2>&1) ||
		die "apt-get download $pkg failed (see $tmp/apt.log)"
	local deb
	deb=$(ls "$tmp"/"$pkg"_*.deb)
	# Same as `dpkg -x`, but extracting only the kernel image.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' ||
		die "could not extract vmlinuz from $deb"
	mv "$tmp"/boot/vmlinuz-* "$LINUX_KERNEL"
	basename "$deb" .deb >"$dir/PACKAGE"
	rm -rf "$tmp"
}

# The static init program and the gzip'd newc initramfs holding only /init.
# Sets LINUX_INITRD.
build_linux_initramfs() {
	local dir=$OUT/linux
	local src=$TOP/bench/linux-guest/init.c
	local root=$dir/rootfs
	LINUX_INITRD=$dir/initramfs.cpio.gz
	need_tools gcc cpio gzip
	mkdir -p "$root"
	if [[ ! -e $root/init || $src -nt $root/init ]]; then
		gcc -static -O2 -s -Wall -o "$root/init" "$src" ||
			die "could not build bench/linux-guest/init.c (static glibc: libc6-dev)"
		rm -f "$LINUX_INITRD"
	fi
	if [[ ! -e $LINUX_INITRD ]]; then
		# -R 0:0: files owned by root in the guest whoever builds the archive.
		# /dev/console comes from the kernel's own built-in initramfs.
		(cd "$root" && printf 'init\n' | cpio -o -H newc -R 0:0 --quiet) |
			gzip -9 >"$LINUX_INITRD.tmp"
		mv "$LINUX_INITRD.tmp" "$LINUX_INITRD"
	fi
}

prepare_linux() {
	fetch_linux_kernel
	build_linux_initramfs
}

# --- QEMU -------------------------------------------------------------------

# Sets QEMU_BASE (the options shared by all guests). $1 machine, $2 memory
# (QEMU syntax, e.g. 128M), $3 1 for KVM.
set_qemu_base() {
	local machine=$1 mem=$2 kvm=$3 accel=tcg
	need_tools qemu-system-x86_64 timeout
	if ((kvm)); then
		[[ -r /dev/kvm && -w /dev/kvm ]] || die "--kvm given but /dev/kvm is missing or not accessible"
		accel=kvm
	fi
	QEMU_BASE=(qemu-system-x86_64 -accel "$accel" -machine "$machine" -m "$mem" -smp 1
		-nographic -nic none -no-reboot)
}

# The guest-specific QEMU arguments: sets GUEST_ARGS, GUEST_LINE, GUEST_RC.
guest_args() {
	case $1 in
	kite)
		GUEST_ARGS=(-kernel "$KITE_ELF" "${DEBUG_EXIT[@]}")
		GUEST_LINE=$KITE_LINE GUEST_RC=$KITE_RC ;;
	linux)
		GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
			-append "$LINUX_APPEND${LINUX_EXTRA_APPEND:+ $LINUX_EXTRA_APPEND}")
		GUEST_LINE=$LINUX_LINE GUEST_RC=$LINUX_RC ;;
	floor)
		GUEST_ARGS=(-kernel "$FLOOR_ELF" "${DEBUG_EXIT[@]}")
		GUEST_LINE='' GUEST_RC=$FLOOR_RC ;;
	*) die "unknown guest $1" ;;
	esac
}

# The console output with CRs and terminal escapes removed, and without the
# "Booting from ROM.." that SeaBIOS prints with no newline after it (so the
# guest's first line would otherwise not start a line).
clean_serial() {
	tr -d '\r' <"$1" |
		sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/^Booting from [A-Za-z ]*\.\.//'
}

# run_guest GUEST [QEMU args...]: boots GUEST once with QEMU_BASE plus the
# extra args. Serial output (stdio under -nographic) goes to
# build/bench/GUEST.log, QEMU's stderr to GUEST.err. Sets RUN_SECONDS, RUN_RC
# and RUN_PROBLEM (empty when the guest printed its line and exited as
# expected); returns 1 when there is a problem (call it from an `if`).
RUN_TIMEOUT=60
run_guest() {
	local guest=$1
	shift
	guest_args "$guest"
	local log=$OUT/$guest.log err=$OUT/$guest.err t0 t1
	RUN_RC=0
	t0=$(now)
	timeout --kill-after=5 "$RUN_TIMEOUT" "${QEMU_BASE[@]}" "$@" "${GUEST_ARGS[@]}" \
		</dev/null >"$log" 2>"$err" || RUN_RC=$?
	t1=$(now)
	RUN_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')

	RUN_PROBLEM=''
	if ((RUN_RC == 124 || RUN_RC == 137)); then
		RUN_PROBLEM="timed out after ${RUN_TIMEOUT}s"
	elif ((RUN_RC != GUEST_RC)); then
		RUN_PROBLEM="QEMU exit status $RUN_RC, expected $GUEST_RC"
	fi
	if [[ -n $GUEST_LINE ]] && ! clean_serial "$log" | grep -qE -- "$GUEST_LINE"; then
		RUN_PROBLEM+="${RUN_PROBLEM:+; }no line matching '$GUEST_LINE' on the console"
	fi
	# QEMU's first real complaint, if any (not warnings, not timeout's SIGTERM).
	local qerr=''
	[[ -n $RUN_PROBLEM ]] &&
		qerr=$(grep -v -e 'warning:' -e 'terminating on signal' "$err" | head -n 1 || true)
	if [[ -n $qerr ]]; then
		RUN_PROBLEM+=" (qemu: $qerr)"
	fi
	[[ -z $RUN_PROBLEM ]]
}

# --- a Linux guest whose init is a given program (bench/sched.sh) -----------

# pack_initramfs BINARY ARCHIVE: a gzip'd newc initramfs holding only /init, a
# copy of BINARY (a static program). Rebuilt only when BINARY is newer than
# ARCHIVE. As in build_linux_initramfs, /dev/console comes from the kernel's
# own built-in initramfs.
pack_initramfs() {
	local bin=$1 archive=$2
	local root=$archive.root
	need_tools cpio gzip
	[[ -e $archive && ! $bin -nt $archive ]] && return 0
	rm -rf "$root"
	mkdir -p "$root"
	cp "$bin" "$root/init"
	(cd "$root" && printf 'init\n' | cpio -o -H newc -R 0:0 --quiet) |
		gzip -9 >"$archive.tmp" || die "could not pack $archive"
	mv "$archive.tmp" "$archive"
	rm -rf "$root"
}
