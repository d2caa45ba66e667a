# shellcheck shell=bash
# Sourced by the differential tests: runs a program on the host and in Kite,
# and compares the two runs.
#   compare_runs HOST_RC KITE_RC HOST_OUT KITE_OUT
# Fails (exit 1, with a short reason) unless the statuses and stdout match byte for byte.
compare_runs() {
	local host_rc=$1 kite_rc=$2 host_out=$3 kite_out=$4
	if [ "$host_rc" -ne "$kite_rc" ]; then
		echo "exit status: host $host_rc, kite $kite_rc"
		exit 1
	fi
	if ! cmp -s "$host_out" "$kite_out"; then
		echo "stdout differs:"
		diff -u "$host_out" "$kite_out" | head -10
		exit 1
	fi
}

# run_on_host OUT NAME BINARY [ARGS...]: runs BINARY with argv[0] NAME (as Kite
# names the program by its path in the image), stdout to OUT; sets host_rc.
run_on_host() {
	local out=$1 name=$2 binary=$3
	shift 3
	set +e
	{ (exec -a "$name" "$binary" "$@") >"$out"; } 2>/dev/null
	host_rc=$?
	set -e
}

# run_in_kite LOG OUT SMP IMAGE PROGRAM [ARGS...]: boots Kite with the image and
# runs the program quietly, stdout to OUT (then appended to LOG, which gets the
# console's other output); sets kite_rc. KITE_RUN_OPTS, when set, adds run.sh
# options (e.g. --net).
run_in_kite() {
	local log=$1 out=$2 smp=$3 image=$4 run_opts
	shift 4
	read -ra run_opts <<<"${KITE_RUN_OPTS:-}"
	set +e
	timeout 60 "$(dirname "${BASH_SOURCE[0]}")/../scripts/run.sh" --tcg --smp "$smp" "${run_opts[@]}" --initrd "$image" \
		-- --quiet "$@" >"$out" 2>"$log" </dev/null
	kite_rc=$?
	set -e
	cat "$out" >>"$log"
}
