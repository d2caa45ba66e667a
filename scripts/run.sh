#!/usr/bin/env bash
# Boots Kite under QEMU and returns the guest's exit status as its own.
#
#   scripts/run.sh [options] [-- kernel-and-app arguments]
#
# Options:
#   -m, --mem SIZE       guest memory (QEMU syntax: 64M, 1G; default 128M)
#   -c, --smp N          CPUs (default 1)
#   --machine TYPE       q35 (default) or pc
#   --kernel FILE        the kernel (default build/kite.elf)
#   --iso FILE           boot this ISO through GRUB instead of -kernel
#   --initrd FILE        the boot archive (a cpio newc archive) for the root file system
#   --kvm | --tcg        force the accelerator (default: KVM when usable)
#   --gdb                QEMU waits for a debugger on localhost:1234 (see docs/debugging.md)
#   --no-exit-device     leave out isa-debug-exit (the kernel then powers off by ACPI)
#   --net                a virtio-net card on QEMU's user network (the guest is
#                        10.0.2.15, the host 10.0.2.2; DHCP gives the address)
#   -p, --port H:G       --net, and host port H (on 127.0.0.1) forwarded to guest port G
#                        (TCP; repeatable)
#   --net-opts OPTS      extra virtio-net-pci options, e.g. event_idx=off,disable-modern=on
#   --tap IFACE          a virtio-net card on the existing tap interface IFACE instead
#   --qemu-arg ARG       pass ARG to QEMU (repeatable)
#   -h, --help           this text
#
# Exit status: the guest's status; 125 when the guest stopped without one (a reset or
# triple fault); 126 for a bad option or a missing file.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mem=128M smp=1 machine=q35 kernel="$top/build/kite.elf" iso="" initrd="" accel=auto gdb=0 exit_device=1
extra_qemu=() net="" net_opts="" forwards="" tap=""

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; }
die() { echo "run.sh: $*" >&2; exit 126; }

while [ $# -gt 0 ]; do
	case "$1" in
	-m|--mem) mem=${2:?}; shift 2 ;;
	-c|--smp) smp=${2:?}; shift 2 ;;
	--machine) machine=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--iso) iso=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--kvm) accel=kvm; shift ;;
	--tcg) accel=tcg; shift ;;
	--gdb) gdb=1; shift ;;
	--no-exit-device) exit_device=0; shift ;;
	--net) net=user; shift ;;
	-p|--port)
		[[ ${2:-} =~ ^[0-9]+:[0-9]+$ ]] || die "--port wants HOSTPORT:GUESTPORT, not '${2:-}'"
		net=user forwards+=",hostfwd=tcp:127.0.0.1:${2%%:*}-:${2##*:}"; shift 2 ;;
	--net-opts) net_opts=",${2:?}"; shift 2 ;;
	--tap) net=tap tap=${2:?}; shift 2 ;;
	--qemu-arg) extra_qemu+=("${2:?}"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
# The kernel splits its command line like a shell: quote what needs it.
kernel_args=""
for arg in "$@"; do
	case "$arg" in
	*[!A-Za-z0-9_./=:,+@%-]* | "") arg="'${arg//\'/\'\\\'\'}'" ;;
	esac
	kernel_args="${kernel_args:+$kernel_args }$arg"
done

case "$machine" in q35|pc) ;; *) die "unknown machine type '$machine' (q35 or pc)" ;; esac
if [ -n "$iso" ]; then
	[ -f "$iso" ] || die "no such ISO: $iso"
	[ -z "$kernel_args" ] || die "arguments cannot be passed to an ISO boot (they are in its grub.cfg)"
else
	[ -f "$kernel" ] || die "no kernel at $kernel (run make first)"
fi

# Some hosts expose /dev/kvm but cannot run `-cpu host` (nested setups that refuse
# MSRs); creating the very machine, paused, tells.
kvm_usable() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		(echo quit | timeout 10 qemu-system-x86_64 -accel kvm -cpu host -machine "$machine" -S \
			-nodefaults -display none -monitor stdio) >/dev/null 2>&1
}
if [ "$accel" = auto ]; then
	if kvm_usable; then accel=kvm; else accel=tcg; fi
fi
if [ "$accel" = kvm ]; then
	cpu_args=(-accel kvm -cpu host)
else
	cpu_args=(-accel tcg -cpu max)
fi

qemu=(qemu-system-x86_64 -machine "$machine" "${cpu_args[@]}" -m "$mem" -smp "$smp"
	-display none -serial stdio -monitor none -no-reboot -nic none)
[ "$exit_device" = 1 ] && qemu+=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
# The second serial port carries the whole exit status (QEMU's exit code keeps 7 bits).
status_file=$(mktemp)
trap 'rm -f "$status_file"' EXIT
qemu+=(-serial "file:$status_file")
[ "$gdb" = 1 ] && qemu+=(-s -S)
if [ -n "$iso" ]; then
	qemu+=(-cdrom "$iso" -boot d)
else
	qemu+=(-kernel "$kernel")
	[ -n "$kernel_args" ] && qemu+=(-append "$kernel_args")
	if [ -n "$initrd" ]; then
		[ -f "$initrd" ] || die "no such boot archive: $initrd"
		qemu+=(-initrd "$initrd")
	fi
fi
case "$net" in
user) qemu+=(-netdev "user,id=net0$forwards" -device "virtio-net-pci,netdev=net0$net_opts") ;;
tap) qemu+=(-netdev "tap,id=net0,ifname=$tap,script=no,downscript=no" -device "virtio-net-pci,netdev=net0$net_opts") ;;
esac
qemu+=("${extra_qemu[@]}")

[ "$gdb" = 1 ] && echo "run.sh: waiting for gdb: gdb -ex 'target remote localhost:1234' $kernel" >&2

set +e
# QEMU runs as a child that a signal to this script (timeout's TERM, a
# test's kill) also ends: otherwise it would outlive the script. Its input
# is this script's (a background command's would be /dev/null).
"${qemu[@]}" <&0 &
qemu_pid=$!
trap 'kill "$qemu_pid" 2>/dev/null' TERM INT HUP
wait "$qemu_pid"
rc=$?
# A signal ends the first wait early: wait for QEMU itself.
while kill -0 "$qemu_pid" 2>/dev/null; do
	wait "$qemu_pid"
	rc=$?
done
trap - TERM INT HUP
set -e

# isa-debug-exit turns status s into (s << 1) | 1; QEMU exits 0 when the guest
# powered off (ACPI) or, with -no-reboot, reset or triple-faulted.
if [ $((rc & 1)) -eq 1 ]; then
	status=$(head -c 8 "$status_file" | tr -dc 0-9)
	if [ -n "$status" ] && [ $((status & 127)) -eq $((rc >> 1)) ]; then
		exit "$status"
	fi
	exit $((rc >> 1))
elif [ $rc -eq 0 ]; then
	[ "$exit_device" = 0 ] && exit 0
	echo "run.sh: the guest stopped without an exit status (reset or triple fault)" >&2
	exit 125
else
	echo "run.sh: qemu failed with status $rc" >&2
	exit 126
fi
