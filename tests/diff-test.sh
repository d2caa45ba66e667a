#!/usr/bin/env bash
# Differential test: the same binary, built once by the host's compiler with its
# default flags, runs on the host and in Kite; stdout and the exit status must match.
#   tests/diff-test.sh LOGFILE APP SMP [ARGS...]
set -euo pipefail
log=$1 app=$2 smp=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/compare-runs.sh
. "$top/tests/compare-runs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s -C "$top" image APP="$app" >/dev/null
run_on_host "$work/host.out" "/$app" "$top/apps/$app/$app" "$@"
run_in_kite "$log" "$work/kite.out" "$smp" "$top/build/images/$app.cpio" "/$app" "$@"
# Kite says on the console what a shell would say on its stderr ("Terminated").
sed -i '/^kite: the program was killed by signal [0-9]* (SIG[A-Z0-9]*)$/d' "$work/kite.out"
compare_runs "$host_rc" "$kite_rc" "$work/host.out" "$work/kite.out"
