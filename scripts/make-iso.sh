#!/bin/sh
# Makes a BIOS-bootable ISO in which GRUB's `multiboot` command boots the kernel:
#   scripts/make-iso.sh KERNEL OUTPUT.iso [kernel arguments]
set -eu
kernel=$1 out=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$work/iso log=$work/log
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/kite.elf"
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "Kite" {
	multiboot /boot/kite.elf $*
	boot
}
CFG
if ! grub-mkrescue -o "$out" "$dir" >"$log" 2>&1; then
	cat "$log" >&2
	echo "make-iso: grub-mkrescue failed" >&2
	exit 1
fi
