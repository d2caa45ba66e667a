# Sourced by the differential tests: compares a host run with a Kite run.
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
