#!/usr/bin/env bash
# Builds a boot archive (the image's root file system, a cpio "newc" archive)
# from a manifest. See docs/image.md for the format:
#
#   /image/path = host/path      a file, or a whole directory (recursively)
#   /image/path -> target        a symbolic link
#   /image/dir/                  an empty directory
#
# Host paths are relative to the manifest's directory. Owners become root.
#   scripts/mkimage.sh MANIFEST OUTPUT.cpio
set -euo pipefail

die() { echo "mkimage: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: mkimage.sh MANIFEST OUTPUT.cpio"
manifest=$1 out=$2
[ -f "$manifest" ] || die "no manifest at $manifest"
base=$(cd "$(dirname "$manifest")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# An image path must be absolute and stay inside the image.
check_image_path() {
	case "$1" in
	/*) ;;
	*) die "$manifest:$2: image path '$1' must start with /" ;;
	esac
	case "/$1/" in
	*/../*) die "$manifest:$2: image path '$1' must not contain '..'" ;;
	esac
}

n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	line=${line%%#*}
	line=$(printf '%s' "$line" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
	[ -n "$line" ] || continue
	if [[ $line =~ ^([^=]+[^[:space:]])[[:space:]]*=[[:space:]]*(.+)$ ]]; then
		dst=${BASH_REMATCH[1]} src=${BASH_REMATCH[2]}
		check_image_path "$dst" "$n"
		[[ $src = /* ]] || src=$base/$src
		[ -e "$src" ] || die "$manifest:$n: no such file on the host: $src"
		mkdir -p "$stage$(dirname "$dst")"
		if [ -d "$src" ]; then
			mkdir -p "$stage$dst"
			cp -a "$src/." "$stage$dst/"
		else
			cp -a "$src" "$stage$dst"
		fi
	elif [[ $line =~ ^([^[:space:]]+)[[:space:]]*-\>[[:space:]]*(.+)$ ]]; then
		dst=${BASH_REMATCH[1]} target=${BASH_REMATCH[2]}
		check_image_path "$dst" "$n"
		mkdir -p "$stage$(dirname "$dst")"
		ln -sfn "$target" "$stage$dst"
	elif [[ $line =~ ^(/[^[:space:]]*)/$ ]]; then
		check_image_path "${BASH_REMATCH[1]}/" "$n"
		mkdir -p "$stage${BASH_REMATCH[1]}"
	else
		die "$manifest:$n: cannot understand '$line' (see docs/image.md)"
	fi
done < "$manifest"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out"
