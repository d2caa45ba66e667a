#!/usr/bin/env bash
# Bad programs give one line naming the file and the reason, and status 111;
# a library dlopen cannot load gives the program dlerror's one line.
#   tests/loader-bad-test.sh LOGFILE
set -euo pipefail
log=$1
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf 'just text\n' > "$work/text"
head -c 3000 /usr/bin/env > "$work/truncated"
cp /usr/bin/env "$work/other-machine"
printf '\003\000' | dd of="$work/other-machine" bs=1 seek=18 conv=notrunc status=none
cat > "$work/needs.c" <<'C'
#include <zlib.h>
int main(void) { return zlibVersion()[0] == 0; }
C
gcc -o "$work/needs-zlib" "$work/needs.c" -lz 2>/dev/null || cp /usr/bin/env "$work/needs-zlib"
# Only libc.so.6, but a glibc-only symbol that neither musl nor Kite has.
cat > "$work/glibc-only.c" <<'C'
#include <stdio.h>
#include <gnu/libc-version.h>
int main(void) { puts(gnu_get_libc_release()); return 0; }
C
gcc -O2 -o "$work/glibc-only" "$work/glibc-only.c"
# A library with more thread-local storage than the static reserve for dlopen
# holds (16 KiB), and a program that dlopens it and prints dlerror().
cat > "$work/bigtls.c" <<'C'
__thread char big[64 * 1024];
char *big_block(void) { return big; }
C
gcc -O2 -fPIC -shared -o "$work/libbigtls.so" "$work/bigtls.c"
cat > "$work/big-tls.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(void)
{
	if (dlopen("/libbigtls.so", RTLD_NOW))
		return 0;
	printf("%s\n", dlerror());
	return 1;
}
C
gcc -O2 -o "$work/big-tls" "$work/big-tls.c"
cat > "$work/manifest" <<M
/text = text
/truncated = truncated
/other-machine = other-machine
/needs-zlib = needs-zlib
/glibc-only = glibc-only
/big-tls = big-tls
/libbigtls.so = libbigtls.so
M
"$top/scripts/mkimage.sh" "$work/manifest" "$work/bad.cpio"

: > "$log"
check() {
	local program=$1 expect=$2 status=${3:-111} out rc
	set +e
	out=$(timeout 60 "$top/scripts/run.sh" --tcg --initrd "$work/bad.cpio" -- --quiet "$program" 2>&1 </dev/null)
	rc=$?
	set -e
	printf '%s\n(status %d)\n' "$out" "$rc" >> "$log"
	[ "$rc" -eq "$status" ] || { echo "$program: status $rc, expected $status"; exit 1; }
	echo "$out" | grep -qxE -- "$expect" || { echo "$program: no line '$expect' in: $out"; exit 1; }
}
check /nothere 'kite: /nothere: no such file in the image'
check /text 'kite: /text: not an ELF file'
check /truncated 'kite: /truncated: truncated: the program headers lie beyond the end of the file|kite: /truncated: .*outside the file|kite: /truncated: segment .* beyond the end of the file'
check /other-machine 'kite: /other-machine: ELF file for another machine \(e_machine 3, not x86-64\)'
check /glibc-only "kite: /glibc-only: unresolved symbol 'gnu_get_libc_release'"
check /big-tls '/libbigtls.so: needs 65536 bytes of thread-local storage, more than is left of the static TLS reserve for dlopen \(16 KiB\)' 1
if grep -q zlib "$work/needs-zlib" 2>/dev/null; then
	check /needs-zlib 'kite: /needs-zlib: needs libz.so.1, which is not in the image$'
fi
