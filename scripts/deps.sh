#!/usr/bin/env bash
# Installs the Debian packages that Kite's build, tests and benchmarks need, if
# any is missing. Idempotent and quiet when everything is there; the Makefile
# runs it before the first build.
set -euo pipefail

packages=(
	gcc make binutils		# the kernel and the host tests
	linux-libc-dev			# the system-call numbers (asm/unistd_64.h)
	dpkg-dev			# apt-get source: musl's source package
	libasan8 libubsan1		# host unit tests run with sanitizers
	qemu-system-x86			# runs Kite (and the Linux guest of the benchmarks)
	grub-pc-bin grub-common xorriso mtools	# make iso
	cpio gzip			# boot archives and the Linux guest's initramfs
	libc6-dev			# bench/: the Linux guest's static init
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh once if an install fails.
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
	$sudo apt-get update -q >/dev/null
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
