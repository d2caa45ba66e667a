#!/usr/bin/env bash
# A program built as a shared object (-shared, no _start) runs through its
# main, with the output and status of the same source built as a PIE on the
# host.
#   tests/shared-main-test.sh LOGFILE SMP [ARGS...]
set -euo pipefail
log=$1 smp=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/compare-runs.sh
. "$top/tests/compare-runs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -o "$work/hello" "$top/apps/hello/hello.c"
gcc -O2 -shared -fPIC -o "$work/hello.so" "$top/apps/hello/hello.c"
printf '/hello = %s\n' "$work/hello.so" > "$work/manifest"
"$top/scripts/mkimage.sh" "$work/manifest" "$work/image.cpio"
run_on_host "$work/host.out" /hello "$work/hello" "$@"
run_in_kite "$log" "$work/kite.out" "$smp" "$work/image.cpio" /hello "$@"
compare_runs "$host_rc" "$kite_rc" "$work/host.out" "$work/kite.out"
