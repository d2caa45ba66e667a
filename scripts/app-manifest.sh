#!/usr/bin/env bash
# Prints the image manifest of an app (see docs/image.md): the program as
# /NAME, the files of its own image.manifest if it has one (host paths made
# absolute), and the shared libraries that the program and those files need
# and Kite does not provide (scripts/app-libs.sh), each once.
#   scripts/app-manifest.sh apps/NAME
set -euo pipefail
dir=$(cd "$1" && pwd)
name=$(basename "$dir")
top=$(cd "$(dirname "$0")/.." && pwd)
extra=$dir/image.manifest

{
	printf '/%s = %s\n' "$name" "$dir/$name"
	"$top/scripts/app-libs.sh" "$dir/$name"
	if [ -f "$extra" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line%%#*}
			if [[ $line =~ ^[[:space:]]*([^=[:space:]]+)[[:space:]]*=[[:space:]]*([^[:space:]]+)[[:space:]]*$ ]]; then
				dst=${BASH_REMATCH[1]} src=${BASH_REMATCH[2]}
				[[ $src == /* ]] || src=$dir/$src
				printf '%s = %s\n' "$dst" "$src"
				# A shared object the program loads itself brings its own needs.
				if [ -f "$src" ] && head -c 4 "$src" | grep -q 'ELF'; then
					"$top/scripts/app-libs.sh" "$src"
				fi
			elif [[ $line =~ [^[:space:]] ]]; then
				printf '%s\n' "$line" # links and directories, as they are
			fi
		done <"$extra"
	fi
} | awk '!seen[$0]++'
