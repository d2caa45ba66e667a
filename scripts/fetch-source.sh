#!/usr/bin/env bash
# Fetches and unpacks a pinned Debian source package into build/src/NAME-VERSION,
# once: scripts/fetch-source.sh NAME DEBIAN-VERSION UPSTREAM-VERSION
# `apt-get source` needs deb-src entries: they are made from the machine's own apt
# sources (the same mirrors, type deb-src), so no host name is written here.
set -euo pipefail
name=$1 debver=$2 upver=$3
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$top/build/src
tree=$dest/$name-$upver
[ -f "$tree/.unpacked" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
srcfile=/etc/apt/sources.list.d/kite-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	# deb822 files: copy each stanza with "Types: deb" as "Types: deb-src";
	# one-line files: "deb " lines become "deb-src " lines.
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && awk 'BEGIN { RS = ""; ORS = "\n\n" } /(^|\n)Types: deb(\n| )/ { sub(/Types: deb/, "Types: deb-src"); print }' "$f"
		done
	} | $sudo tee "$srcfile" >/dev/null
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $sudo tee /etc/apt/sources.list.d/kite-deb-src.list >/dev/null
	fi
	$sudo apt-get update -q >/dev/null
fi
mkdir -p "$dest/download"
cd "$dest/download"
if ! ls "${name}_${debver}.dsc" >/dev/null 2>&1; then
	apt-get source -q --download-only "$name=$debver" >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null; apt-get source -q --download-only "$name=$debver" >/dev/null; }
fi
rm -rf "$tree"
# The .dsc's signature cannot be checked without Debian's keyring; apt already
# checked the files against the signed Sources index it downloaded them by.
if ! dpkg-source -x "${name}_${debver}.dsc" "$tree" >"$dest/$name-unpack.log" 2>&1; then
	cat "$dest/$name-unpack.log" >&2
	echo "fetch-source: cannot unpack $name $debver" >&2
	exit 1
fi
touch "$tree/.unpacked"
