#!/usr/bin/env bash
# Name resolution: /etc/resolv.conf from --dns or from DHCP (QEMU's user
# network offers 10.0.2.3), and getaddrinfo answered from the image's
# /etc/hosts through musl, by tests/net/resolv_check.c.
#   tests/net-resolv-test.sh LOGFILE dhcp|option
set -euo pipefail
log=$1 how=$2
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -o "$work/resolv_check" "$top/tests/net/resolv_check.c"
printf '127.0.0.1 localhost\n192.0.2.7 kite-test-host\n' > "$work/hosts"
{
	printf '/resolv_check = %s\n' "$work/resolv_check"
	printf '/etc/hosts = %s\n' "$work/hosts"
	"$top/scripts/app-libs.sh" "$work/resolv_check"
} > "$work/manifest"
"$top/scripts/mkimage.sh" "$work/manifest" "$work/image.cpio"
case $how in
dhcp) kernel_opts=() want=10.0.2.3 ;;
option) kernel_opts=(--dns=192.0.2.53) want=192.0.2.53 ;;
*) echo "dhcp or option, not '$how'"; exit 2 ;;
esac
set +e
timeout 60 "$top/scripts/run.sh" --tcg --net --initrd "$work/image.cpio" \
	-- --quiet "${kernel_opts[@]}" /resolv_check kite-test-host >"$log" 2>&1 </dev/null
rc=$?
set -e
[ "$rc" -eq 0 ] || { echo "exit status $rc: $(grep -v '^resolv.conf' "$log" | tail -1)"; exit 1; }
grep -qx "resolv.conf: nameserver $want" "$log" || { echo "no 'nameserver $want' in /etc/resolv.conf"; exit 1; }
grep -qx "kite-test-host is 192.0.2.7" "$log" || { echo "kite-test-host was not resolved from /etc/hosts"; exit 1; }
