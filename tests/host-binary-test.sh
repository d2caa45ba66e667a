#!/usr/bin/env bash
# Differential test of a binary that is already on the host and that no one here
# wrote (acceptance 3 of the loader issue): the very file runs on the host with an
# empty environment (Kite's programs start with none) and in Kite; stdout and the
# exit status must match.
#   tests/host-binary-test.sh LOGFILE /usr/bin/PROGRAM SMP [ARGS...]
# PROGRAM_ENV="A=1 B=2" gives both sides that environment (--env= for Kite).
set -euo pipefail
log=$1 binary=$2 smp=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/compare-runs.sh
. "$top/tests/compare-runs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$binary" ] || { echo "no $binary on this host"; exit 1; }
printf '%s = %s\n' "$binary" "$binary" > "$work/manifest"
"$top/scripts/app-libs.sh" "$binary" >> "$work/manifest"
"$top/scripts/mkimage.sh" "$work/manifest" "$work/image.cpio"
set +e
read -ra program_env <<< "${PROGRAM_ENV:-}"
kite_env=()
for kv in "${program_env[@]}"; do kite_env+=("--env=$kv"); done
{ env -i "${program_env[@]}" "$binary" "$@" >"$work/host.out"; } 2>/dev/null
host_rc=$?
set -e
run_in_kite "$log" "$work/kite.out" "$smp" "$work/image.cpio" "${kite_env[@]}" "$binary" "$@"
compare_runs "$host_rc" "$kite_rc" "$work/host.out" "$work/kite.out"
