#!/usr/bin/env bash
# Prints manifest lines (see docs/image.md) for the shared libraries a program
# needs that Kite does not stand in for itself (loader/provided_libs.def), as the
# host's dynamic linker finds them (ldd), each under /lib/x86_64-linux-gnu/ by
# the name the program asks for, where Kite's loader looks first.
#   scripts/app-libs.sh PROGRAM
set -euo pipefail
program=$1
top=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$program" ] || { echo "app-libs: no such file: $program" >&2; exit 1; }

provided=$(sed -n 's/^PROVIDED("\(.*\)")$/\1/p' "$top/loader/provided_libs.def")
# A static program, or not a program at all: nothing to add.
ldd_out=$(ldd "$program" 2>/dev/null) || exit 0
while read -r name arrow path _; do
	[ "$arrow" = "=>" ] || continue
	if [ "$path" = "not" ]; then
		echo "app-libs: $program needs $name, which the host does not have" >&2
		exit 1
	fi
	grep -qxF "$name" <<<"$provided" && continue
	printf '/lib/x86_64-linux-gnu/%s = %s\n' "$name" "$(readlink -f "$path")"
done <<<"$ldd_out"
