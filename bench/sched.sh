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

# Sets GUEST_ARGS and GUEST_RC (QEMU's exit status when the guest is done).
sched_guest() {
	case $1 in
	kite)
		GUEST_ARGS=(-kernel "$KITE_ELF" -append "--bench=sched")
		GUEST_RC=$KITE_RC ;;
	linux)
		GUEST_ARGS=(-kernel "$LINUX_KERNEL" -initrd "$SCHED_INITRD" -append "$LINUX_APPEND")
		GUEST_RC=$LINUX_RC ;;
	esac
}

# --- running ----------------------------------------------------------------

# The "schedbench: NAME VALUE" lines of a console log, as "NAME VALUE". Not
# anchored at the line start: Linux's setup code may leave a stray character
# in front of the first line (see clean_serial).
sched_results() {
	clean_serial "$1" | sed -nE 's/.*schedbench: ([a-z0-9-]+) ([0-9]+\.[0-9])$/\1 \2/p'
}

metrics=()             # names, in the order the first run printed them
declare -A values=()   # "GUEST METRIC" -> "v1 v2 ..."

# run_once GUEST ROUND: one boot; the console goes to
# build/bench/sched-GUEST-ROUND.log. Any failure ends the script.
run_once() {
	local guest=$1 round=$2
	local log=$OUT/sched-$guest-$round.log err=$OUT/sched-$guest-$round.err
	local rc=0 problem='' name value m
	sched_guest "$guest"
	timeout --kill-after=5 "$RUN_TIMEOUT" "${QEMU_ARGS[@]}" "${GUEST_ARGS[@]}" \
		</dev/null >"$log" 2>"$err" || rc=$?

	if ((rc == 124 || rc == 137)); then
		problem="timed out after ${RUN_TIMEOUT}s"
	elif ((rc != GUEST_RC)); then
		problem="QEMU exit status $rc, expected $GUEST_RC"
	fi
	if ! clean_serial "$log" | grep -q 'schedbench: done$'; then
		problem+="${problem:+; }no 'schedbench: done' on the console"
		# The benchmark's own complaint, or QEMU's, if there is one.
		m=$(clean_serial "$log" | grep 'schedbench: error' | head -n 1 || true)
		[[ -n $m ]] ||
			m=$(grep -v -e 'warning:' -e 'terminating on signal' "$err" | head -n 1 || true)
		[[ -n $m ]] && problem+=" ($m)"
	fi
	[[ -z $problem ]] || die "$guest guest failed (round $round): $problem; console: ${log#"$TOP"/}"

	local -A seen=()
	while read -r name value; do
		seen[$name]=$value
	done < <(sched_results "$log")
	if ((${#metrics[@]} == 0)); then
		# The first run (Kite's) fixes the list of metrics.
		while read -r name value; do
			metrics+=("$name")
		done < <(sched_results "$log")
		((${#metrics[@]})) || die "$guest guest printed no measurements; console: ${log#"$TOP"/}"
	fi
	for m in "${metrics[@]}"; do
		[[ -n ${seen[$m]:-} ]] || die "$guest guest did not report $m (round $round); console: ${log#"$TOP"/}"
		values["$guest $m"]+="${seen[$m]} "
	done
	((${#seen[@]} == ${#metrics[@]})) ||
		die "$guest guest reported other metrics than kite's first run (round $round); console: ${log#"$TOP"/}"
}

note "q35, tcg, -cpu max, -smp $smp, -m $mem, $rounds rounds (kite, linux, ...)"

# Interleaved, so that slow drift in the machine's load hits both alike.
for ((r = 1; r <= rounds; r++)); do
	for g in kite linux; do
		run_once "$g" "$r"
		line=''
		for m in "${metrics[@]}"; do
			v=${values["$g $m"]% }
			line+="  $m ${v##* }"
		done
		note "round $r/$rounds $g:$line"
	done
done

# --- the table --------------------------------------------------------------

# median "v1 v2 ..."
median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
		{ v[NR] = $1 }
		END { printf "%.1f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

linux_desc=linux
# PACKAGE holds e.g. linux-image-6.1.0-56-amd64_6.1.192-2_amd64
[[ -f $OUT/linux/PACKAGE ]] &&
	linux_desc="linux $(sed -E 's/^linux-image-//; s/_.*//' "$OUT/linux/PACKAGE")"

w=6 # "metric"
for m in "${metrics[@]}"; do
	((${#m} > w)) && w=${#m}
done

echo
echo "schedbench, q35, tcg, -smp $smp, -m $mem, $rounds interleaved rounds (medians, ns per operation)"
echo "  $KITE_DESC vs $linux_desc; ratio below 1: Kite is faster"
printf "  %-${w}s %12s %12s %12s\n" metric kite linux kite/linux
for m in "${metrics[@]}"; do
	k=$(median "${values["kite $m"]}")
	l=$(median "${values["linux $m"]}")
	ratio=$(awk -v k="$k" -v l="$l" 'BEGIN { if (l > 0) printf "%.2f", k / l; else print "-" }')
	printf "  %-${w}s %12s %12s %12s\n" "$m" "$k" "$l" "$ratio"
done
