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

# --- a Linux guest whose init is a given program ----------------------------

# pack_initramfs BINARY ARCHIVE: a gzip'd newc initramfs whose /init is a copy
# of BINARY. A dynamically linked BINARY (an ordinary PIE) brings the shared
# libraries and the dynamic linker it uses on the host, at the same paths, so
# that the very file that runs in Kite runs in the Linux guest. Rebuilt only
# when BINARY is newer than ARCHIVE. As in build_linux_initramfs, /dev/console
# comes from the kernel's own built-in initramfs.
pack_initramfs() {
	local bin=$1 archive=$2
	local root=$archive.root lib
	need_tools cpio gzip
	[[ -e $archive && ! $bin -nt $archive ]] && return 0
	rm -rf "$root"
	mkdir -p "$root"
	cp "$bin" "$root/init"
	# ldd lists "name => /path (addr)" and the dynamic linker as "/path (addr)";
	# for a static program it fails, and there is nothing to add.
	while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc -R 0:0 --quiet) |
		gzip -9 >"$archive.tmp" || die "could not pack $archive"
	mv "$archive.tmp" "$archive"
	rm -rf "$root"
}

# --- an ordinary program as a benchmark in both guests ----------------------

# build_app_bench NAME SOURCES...: compiles the benchmark program
# build/bench/NAME with the host's compiler and its defaults (a PIE linked
# with glibc), as a user would build an app, with bench/app/benchapp.c. The
# very same file then runs in Kite and as the Linux guest's /init. Sets APP_BIN.
build_app_bench() {
	local name=$1 src
	shift
	APP_BIN=$OUT/$name
	need_tools gcc
	mkdir -p "$OUT"
	local rebuild=0
	for src in "$@" "$TOP/bench/app/benchapp.c" "$TOP/bench/app/benchapp.h"; do
		[[ $src -nt $APP_BIN ]] && rebuild=1
	done
	if [[ ! -e $APP_BIN ]] || ((rebuild)); then
		gcc -O2 -Wall -o "$APP_BIN" "$@" "$TOP/bench/app/benchapp.c" ||
			die "could not build $APP_BIN"
	fi
}

# pack_kite_image BINARY ARCHIVE: Kite's boot archive holding BINARY as
# /NAME plus the libraries it needs that Kite does not provide, as
# `make image` packs an app. Sets KITE_PROGRAM (its path in the image).
pack_kite_image() {
	local bin=$1 archive=$2
	KITE_PROGRAM=/$(basename "$bin")
	[[ -e $archive && ! $bin -nt $archive ]] && return 0
	printf '%s = %s\n' "$KITE_PROGRAM" "$bin" >"$archive.manifest"
	"$TOP/scripts/app-libs.sh" "$bin" >>"$archive.manifest" || die "app-libs.sh $bin failed"
	"$TOP/scripts/mkimage.sh" "$archive.manifest" "$archive" || die "could not pack $archive"
}

# --- running a benchmark that prints "PREFIX: METRIC VALUE" lines -----------
#
# The including script sets METRIC_PREFIX (e.g. "schedbench"), QEMU_ARGS (the
# options both guests share) and defines metric_guest GUEST, which sets
# GUEST_ARGS and GUEST_RC for "kite" and "linux". metric_run_once boots one
# guest and collects its figures; metric_table prints the medians.

metrics=()             # names, in the order the first run printed them
declare -A values=()   # "GUEST METRIC" -> "v1 v2 ..."

# The "PREFIX: NAME VALUE" lines of a console log, as "NAME VALUE". Not
# anchored at the line start: Linux's setup code may leave a stray character
# in front of the first line (see clean_serial).
metric_results() {
	clean_serial "$1" | sed -nE "s/.*$METRIC_PREFIX: ([a-z0-9-]+) ([0-9]+\.[0-9])\$/\1 \2/p"
}

# metric_run_once GUEST ROUND: one boot; the console goes to
# build/bench/PREFIX-GUEST-ROUND.log. Any failure ends the script.
metric_run_once() {
	local guest=$1 round=$2
	local log=$OUT/$METRIC_PREFIX-$guest-$round.log err=$OUT/$METRIC_PREFIX-$guest-$round.err
	local rc=0 problem='' name value m
	metric_guest "$guest"
	timeout --kill-after=5 "$RUN_TIMEOUT" "${QEMU_ARGS[@]}" "${GUEST_ARGS[@]}" \
		</dev/null >"$log" 2>"$err" || rc=$?

	if ((rc == 124 || rc == 137)); then
		problem="timed out after ${RUN_TIMEOUT}s"
	elif ((rc != GUEST_RC)); then
		problem="QEMU exit status $rc, expected $GUEST_RC"
	fi
	if ! clean_serial "$log" | grep -q "$METRIC_PREFIX: done\$"; then
		problem+="${problem:+; }no '$METRIC_PREFIX: done' on the console"
		# The benchmark's own complaint, or Kite's, or QEMU's, if there is one.
		m=$(clean_serial "$log" | grep -e "$METRIC_PREFIX: error" -e '^kite: ' | head -n 1 || true)
		[[ -n $m ]] ||
			m=$(grep -v -e 'warning:' -e 'terminating on signal' "$err" | head -n 1 || true)
		[[ -n $m ]] && problem+=" ($m)"
	fi
	[[ -z $problem ]] || die "$guest guest failed (round $round): $problem; console: ${log#"$TOP"/}"

	local -A seen=()
	while read -r name value; do
		seen[$name]=$value
	done < <(metric_results "$log")
	if ((${#metrics[@]} == 0)); then
		# The first run (Kite's) fixes the list of metrics.
		while read -r name value; do
			metrics+=("$name")
		done < <(metric_results "$log")
		((${#metrics[@]})) || die "$guest guest printed no measurements; console: ${log#"$TOP"/}"
	fi
	for m in "${metrics[@]}"; do
		[[ -n ${seen[$m]:-} ]] || die "$guest guest did not report $m (round $round); console: ${log#"$TOP"/}"
		values["$guest $m"]+="${seen[$m]} "
	done
	((${#seen[@]} == ${#metrics[@]})) ||
		die "$guest guest reported other metrics than kite's first run (round $round); console: ${log#"$TOP"/}"
}

# metric_rounds ROUNDS: kite, linux, kite, linux, ... so that slow drift in
# the machine's load hits both alike; a progress line per boot on stderr.
metric_rounds() {
	local rounds=$1 r g m v line
	for ((r = 1; r <= rounds; r++)); do
		for g in kite linux; do
			metric_run_once "$g" "$r"
			line=''
			for m in "${metrics[@]}"; do
				v=${values["$g $m"]% }
				line+="  $m ${v##* }"
			done
			note "round $r/$rounds $g:$line"
		done
	done
}

# median "v1 v2 ..."
median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
		{ v[NR] = $1 }
		END { printf "%.1f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# "linux 6.1.0-NN-amd64", from the package the kernel came from.
linux_description() {
	local desc=linux
	# PACKAGE holds e.g. linux-image-6.1.0-56-amd64_6.1.192-2_amd64
	[[ -f $OUT/linux/PACKAGE ]] &&
		desc="linux $(sed -E 's/^linux-image-//; s/_.*//' "$OUT/linux/PACKAGE")"
	echo "$desc"
}

# metric_table TITLE: the medians of each metric for both guests and the
# ratio Kite/Linux (every metric is a cost: below 1, Kite is faster).
metric_table() {
	local title=$1 w=6 m k l ratio
	for m in "${metrics[@]}"; do
		((${#m} > w)) && w=${#m}
	done
	echo
	echo "$title"
	echo "  $KITE_DESC vs $(linux_description); ratio below 1: Kite is faster"
	printf "  %-${w}s %12s %12s %12s\n" metric kite linux kite/linux
	for m in "${metrics[@]}"; do
		k=$(median "${values["kite $m"]}")
		l=$(median "${values["linux $m"]}")
		ratio=$(awk -v k="$k" -v l="$l" 'BEGIN { if (l > 0) printf "%.2f", k / l; else print "-" }')
		printf "  %-${w}s %12s %12s %12s\n" "$m" "$k" "$l" "$ratio"
	done
}
