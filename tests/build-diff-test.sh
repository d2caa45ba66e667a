#!/usr/bin/env bash
# Differential test of one C source built with particular flags (a linker
# option, a code model): the same binary runs on the host and in Kite; stdout
# and the exit status must match.
#   tests/build-diff-test.sh LOGFILE SMP SOURCE "GCC FLAGS" [ARGS...]
set -euo pipefail
log=$1 smp=$2 source=$3 flags=$4
shift 4
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/compare-runs.sh
. "$top/tests/compare-runs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

read -ra gcc_flags <<<"$flags"
gcc "${gcc_flags[@]}" -o "$work/prog" "$top/$source"
printf '/prog = %s\n' "$work/prog" > "$work/manifest"
"$top/scripts/app-libs.sh" "$work/prog" >> "$work/manifest"
"$top/scripts/mkimage.sh" "$work/manifest" "$work/image.cpio"
run_on_host "$work/host.out" /prog "$work/prog" "$@"
run_in_kite "$log" "$work/kite.out" "$smp" "$work/image.cpio" /prog "$@"
compare_runs "$host_rc" "$kite_rc" "$work/host.out" "$work/kite.out"
