#!/usr/bin/env bash
# The image manifest end to end: scripts/mkimage.sh packs tests/image/manifest,
# Kite unpacks it at boot, and its listing must show each manifest line's result.
#   tests/image-test.sh LOGFILE
set -euo pipefail
log=$1
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$top/scripts/mkimage.sh" "$top/tests/image/manifest" "$work/image.cpio"
timeout 60 "$top/scripts/run.sh" --tcg --initrd "$work/image.cpio" -- --selftest=tree >"$log" 2>&1 </dev/null ||
	{ echo "boot failed"; exit 1; }
for line in 'tree: f 644 20 1 /etc/hosts' 'tree: d 755 - 2 /etc/app' 'tree: f 644 10 1 /etc/app/app.conf' \
	'tree: l 777 7 1 /usr/bin/python -> python3' 'tree: d 755 - 2 /var/log'; do
	grep -qxF "$line" "$log" || { echo "missing: $line"; exit 1; }
done
# A manifest with a bad line is refused with its line number.
printf '/etc/x = files/hosts\nnonsense here\n' > "$work/bad"
cp -r "$top/tests/image/files" "$work/"
if out=$("$top/scripts/mkimage.sh" "$work/bad" "$work/bad.cpio" 2>&1); then
	echo "a bad manifest was accepted"; exit 1
fi
echo "$out" | grep -q "bad:2: cannot understand 'nonsense here'" || { echo "unclear error: $out"; exit 1; }
