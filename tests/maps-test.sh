#!/usr/bin/env bash
# /proc/self/maps lists the program's ELF segments as Linux does: the same
# lines (permissions, file offset, path) for /usr/bin/head reading its own
# maps on the host and in Kite, RELRO read-only included; and a library of
# the program's (apps/cxx's libshapes.so and libstdc++) with its segments.
#   tests/maps-test.sh LOGFILE
set -euo pipefail
log=$1
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '/usr/bin/head = /usr/bin/head\n' > "$work/manifest"
"$top/scripts/app-libs.sh" /usr/bin/head >> "$work/manifest"
"$top/scripts/mkimage.sh" "$work/manifest" "$work/image.cpio"
timeout 60 "$top/scripts/run.sh" --tcg --initrd "$work/image.cpio" \
	-- --quiet /usr/bin/head -n 200 /proc/self/maps >"$work/kite.maps" 2>"$log" </dev/null
cat "$work/kite.maps" >> "$log"
/usr/bin/head -n 200 /proc/self/maps > "$work/host.maps"
segments() { awk '$6 == "/usr/bin/head" { print $2, $3, $6 }' "$1"; }
segments "$work/host.maps" > "$work/host.segments"
segments "$work/kite.maps" > "$work/kite.segments"
[ -s "$work/host.segments" ] || { echo "no /usr/bin/head lines in the host's maps"; exit 1; }
if ! cmp -s "$work/host.segments" "$work/kite.segments"; then
	echo "/usr/bin/head's segments differ (host, kite):"
	diff "$work/host.segments" "$work/kite.segments" | head -10
	exit 1
fi
# Linux's layout: columns, addresses ascending, the program below the kernel.
awk 'NR > 1 && $1 < prev { print "not in ascending order: " prev " then " $1; exit 1 } { prev = $1 }' \
	"$work/kite.maps"
grep -qE '^[0-9a-f]{8,16}-[0-9a-f]{8,16} r-xp [0-9a-f]{8} 00:00 0 +/usr/bin/head$' "$work/kite.maps" ||
	{ echo "no executable line for /usr/bin/head"; exit 1; }
