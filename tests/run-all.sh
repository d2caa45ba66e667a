#!/usr/bin/env bash
# Runs every test: the host unit tests (build/tests/test_*) and the boot tests
# (tests/boot-tests.sh). Prints PASS/FAIL per test and, last, "N passed, N failed".
# An argument runs only the tests whose name contains it.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
filter=${1:-}
ISO=$top/build/kite.iso
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
REPORT_MAX_LINES=30
logs=$top/build/test-logs
mkdir -p "$logs"
passed=0 failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# Host unit tests: each binary prints its own PASS/FAIL lines.
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	arg=()
	case "$name" in *"$filter"*) ;; *) arg=("$filter") ;; esac
	out=$("$t" "${arg[@]}" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(PASS|FAIL) '
	passed=$((passed + $(echo "$out" | grep -c '^PASS ')))
	failed=$((failed + $(echo "$out" | grep -c '^FAIL ')))
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^FAIL '; then
		fail "$name" "exited with status $rc: $(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
done

boot_case() {
	local name=boot/$1 status=$2 run_opts=$3 kargs=$4
	shift 4
	case "$name" in *"$filter"*) ;; *) return ;; esac
	local log=$logs/${name//\//_}.log
	# BOOT_INPUT, when set, is typed on the console a second after the start.
	# shellcheck disable=SC2086
	{ if [ -n "${BOOT_INPUT:-}" ]; then sleep 1; printf '%b' "$BOOT_INPUT"; fi; } |
		timeout "$BOOT_TIMEOUT" scripts/run.sh --tcg $run_opts ${kargs:+-- $kargs} >"$log" 2>&1
	local rc=${PIPESTATUS[1]}
	if [ $rc -eq 124 ]; then
		fail "$name" "timed out after ${BOOT_TIMEOUT}s (log: $log)"
		return
	fi
	if [ $rc -ne "$status" ]; then
		fail "$name" "exit status $rc, expected $status (log: $log)"
		return
	fi
	local pattern
	for pattern in "$@"; do
		if ! grep -Eq -- "$pattern" "$log"; then
			fail "$name" "no line matches /$pattern/ (log: $log)"
			return
		fi
	done
	if [ "$status" -ge 100 ] && [ "$(wc -l <"$log")" -gt $REPORT_MAX_LINES ]; then
		fail "$name" "the report is longer than $REPORT_MAX_LINES lines (log: $log)"
		return
	fi
	pass "$name"
}

# A test that is a script of its own: passes when the script exits 0.
script_case() {
	local name=boot/$1
	shift
	case "$name" in *"$filter"*) ;; *) return ;; esac
	local log=$logs/${name//\//_}.log out
	local script=$1
	shift
	if out=$("$script" "$log" "$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | head -3 | tr '\n' ' ')(log: $log)"
	fi
}

# shellcheck source=tests/boot-tests.sh
. tests/boot-tests.sh

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
