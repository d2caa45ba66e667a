#!/usr/bin/env bash
# Differential test of the boot archive: a directory tree is packed with the
# host's cpio, unpacked by Kite at boot, and Kite's listing of its root must
# equal the host's listing of the tree. With "truncated", the archive is cut
# in the middle: Kite must say so, keep what came before, and boot anyway.
#   tests/archive-test.sh LOGFILE [truncated]
set -euo pipefail
log=$1 mode=${2:-whole}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tree=$work/tree
mkdir -p "$tree/etc/conf.d" "$tree/usr/lib/deep/deeper" "$tree/empty" "$tree/bin"
echo "hello from the archive" > "$tree/etc/hello"
: > "$tree/etc/empty-file"
head -c 100000 /dev/urandom > "$tree/usr/lib/blob"
printf 'a%.0s' $(seq 1 4093) > "$tree/usr/lib/deep/deeper/odd-size"
ln -s ../etc/hello "$tree/bin/rel-link"
ln -s /etc/hello "$tree/bin/abs-link"
ln -s nowhere "$tree/bin/dangling"
ln "$tree/etc/hello" "$tree/etc/hello-again"
echo 'a name with spaces' > "$tree/etc/with space"
chmod 700 "$tree/empty"
chmod 640 "$tree/etc/hello"
chmod 755 "$tree/usr/lib/blob"

(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$work/root.cpio"
if [ "$mode" = truncated ]; then
	size=$(stat -c %s "$work/root.cpio")
	head -c $((size / 2)) "$work/root.cpio" > "$work/cut.cpio"
	mv "$work/cut.cpio" "$work/root.cpio"
fi

set +e
timeout 60 "$top/scripts/run.sh" --tcg --initrd "$work/root.cpio" -- --verbose --selftest=tree >"$log" 2>&1 </dev/null
rc=$?
set -e
[ $rc -eq 0 ] || { echo "exit status $rc"; exit 1; }
grep -q '^selftest: tree: done$' "$log" || { echo "no listing"; exit 1; }

if [ "$mode" = truncated ]; then
	grep -q '^kite: boot archive: malformed; the boot goes on with the [0-9]* entries before the error$' "$log" ||
		{ echo "no message about the malformed archive"; exit 1; }
	grep -q '^kite: boot archive: .*truncated' "$log" || { echo "the reason is not given"; exit 1; }
	# What was unpacked is a prefix of the archive: every listed file is in the tree.
	while IFS= read -r path; do
		[ -e "$tree$path" ] || [ -L "$tree$path" ] || { echo "unexpected $path"; exit 1; }
	done < <(grep '^tree: ' "$log" | sed -E 's/^tree: [fdl] [0-7]+ [^ ]+ [0-9]+ //; s/ -> .*$//')
	exit 0
fi

grep '^tree: ' "$log" | LC_ALL=C sort > "$work/kite.txt"
(cd "$tree" && find . -mindepth 1 -printf 'tree: %y %m %s %n /%P -> %l\n') |
	awk '{ if ($2 == "d") $4 = "-"; if ($2 != "l") sub(/ -> ?$/, ""); print }' | LC_ALL=C sort > "$work/host.txt"
gcc -O2 -o "$work/fnv1a" "$top/tests/fnv1a.c"
grep '^hash: ' "$log" | LC_ALL=C sort >> "$work/kite.txt"
(cd "$tree" && find . -type f -printf '%P\0' | xargs -0 "$work/fnv1a") |
	sed -E 's|^([0-9a-f]{16}) |hash: \1 /|' | LC_ALL=C sort >> "$work/host.txt"
if ! diff -u "$work/host.txt" "$work/kite.txt" > "$work/diff.txt"; then
	echo "listings differ:"; head -20 "$work/diff.txt"
	exit 1
fi
