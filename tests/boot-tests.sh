# Boot tests: each boots the kernel under QEMU (TCG) with run.sh and checks the
# exit status and the serial output. Sourced by tests/run-all.sh, which defines
# boot_case:
#
#   boot_case NAME STATUS 'run.sh options' 'kernel arguments' PATTERN...
#
# Every PATTERN (an extended regular expression) must match a line of the output.
# A crash report must also fit on one screen (REPORT_MAX_LINES lines).

banner='^Kite [0-9.]+: [0-9]+\.[0-9] MiB memory, [0-9]+ CPUs$'

# Machines, CPUs and memory sizes.
boot_case q35 0 '--machine q35' '' "$banner" ': 12[0-9]\.[0-9] MiB memory, 1 CPUs$'
boot_case pc 0 '--machine pc' '' "$banner" ', 1 CPUs$'
boot_case q35-smp2 0 '--machine q35 --smp 2' '' ', 2 CPUs$'
boot_case pc-smp2 0 '--machine pc --smp 2' '' ', 2 CPUs$'
boot_case q35-8m 0 '--machine q35 --mem 8M' '' ': [67]\.[0-9] MiB memory'
boot_case pc-8m 0 '--machine pc --mem 8M' '' ': [67]\.[0-9] MiB memory'
boot_case q35-4g 0 '--machine q35 --mem 4G --smp 2' '' ': 409[0-9]\.[0-9] MiB memory, 2 CPUs$'
boot_case pc-4g 0 '--machine pc --mem 4G' '' ': 409[0-9]\.[0-9] MiB memory'
boot_case smallest 0 '--mem 4M' '' "$banner"
boot_case too-small 101 '--mem 3M' '' '^kite: out of memory: '

# GRUB: the same kernel file from an ISO (make iso).
boot_case grub-iso 0 "--iso $ISO" '' "$banner"

# Without isa-debug-exit the kernel powers off through ACPI (QEMU exits 0).
boot_case acpi-poweroff 0 '--no-exit-device' '' "$banner"

# Options.
boot_case verbose 0 '' '--verbose' '^kite: started by qemu$' '^kite: memory: [0-9]+ KiB RAM' "$banner"
boot_case bootchart 0 '' '--bootchart' '^bootchart: ms since the first instruction$' \
	'^ +[0-9]+\.[0-9]{3}  memory$' '^ +[0-9]+\.[0-9]{3}  banner$'
boot_case bad-option 2 '' '--no-such-option' "^kite: bad command line: unknown option '--no-such-option'$"
boot_case bad-value 2 '' '--test-crash=explode' \
	"^kite: bad command line: bad value 'explode' for --test-crash \\(expected null\\|"
boot_case missing-value 2 '' '--test-crash' "^kite: bad command line: option '--test-crash' needs a value"
boot_case cpus-option 0 '--smp 4' '--cpus=2' ', 2 CPUs$'
boot_case bad-cpus 2 '' '--cpus=0' "^kite: bad command line: bad value '0' for --cpus \\(expected 1\\.\\.64\\)$"
# (run.sh quotes what it passes, so the raw command line goes in by hand.)
boot_case bad-quote 2 '--qemu-arg -append --qemu-arg "unclosed' '' '^kite: bad command line: unterminated quote'

# The allocators inside the guest: real page tables, KVA, firmware memory map.
boot_case selftest-memory 0 '' '--selftest=memory' '^selftest: memory: ok$' \
	'^selftest: before: [0-9]+ KiB free frames' '^selftest: after: [0-9]+ KiB free frames'
boot_case selftest-memory-6m 0 '--mem 6M --machine pc' '--selftest=memory' '^selftest: memory: ok$'
boot_case selftest-memory-4g 0 '--mem 4G' '--selftest=memory' '^selftest: memory: ok$'

# Threads, the scheduler, synchronization, vector registers.
threads_ok=('^selftest: mutex: 8 threads x 2000 increments: ok$' '^selftest: condvar: .*: ok$'
	'^selftest: timed wait: 20 condvar waits whose unlock woke a contender timed out: ok$'
	'^selftest: semaphore: .*: ok$' '^selftest: futex: .*: ok$' '^selftest: sleep: .*: ok$'
	'^selftest: preemption: .*: ok$' '^selftest: priorities: .*: ok$' '^selftest: threads: 10000 created and joined .*: ok$'
	'^selftest: threads: 1000 detached threads freed themselves: ok$')
for n in 1 2 4; do
	boot_case threads-smp$n 0 "--smp $n" '--selftest=threads' "${threads_ok[@]}" \
		"^selftest: affinity: main moved to each of $n CPUs in turn: ok$" ", $n CPUs\$"
	boot_case fpu-smp$n 0 "--smp $n" '--selftest=fpu' \
		"^selftest: fpu: $((3 * n)) threads \\(AVX and SSE\\) x 4 rounds intact across [0-9]+ context switches: ok$"
done
boot_case memory-smp4 0 '--smp 4' '--selftest=memory' '^selftest: memory: ok$'

# The file system calls: errors, descriptors, devices, sparse files, pipes.
files_ok=('^selftest: files: 1024 descriptors open at the limit, then EMFILE$'
	'^selftest: files: 16 MiB through a pipe between two threads, verified$'
	'^ffffffff80100000-ffffffff[0-9a-f]{8} r-xp 00000000 00:00 0 +\[kite\]$'
	'^ffffc[0-9a-f]{11}-ffffc[0-9a-f]{11} rw-p 00000000 00:00 0 +\[stack:maps-test\]$'
	'^selftest: files: ok$')
boot_case files-smp1 0 '--smp 1' '--selftest=files' "${files_ok[@]}"
boot_case files-smp2 0 '--smp 2' '--selftest=files' "${files_ok[@]}"

# The boot archive: a tree packed by the host's cpio, unpacked at boot, listed
# by Kite (types, modes, sizes, link counts, symlink targets, content hashes) and
# compared with the host's listing; and a truncated archive.
script_case archive tests/archive-test.sh
script_case archive-truncated tests/archive-test.sh truncated
script_case image-manifest tests/image-test.sh

# The system-call table: raw `syscall` at ring 0 and direct calls.
for n in 1 2; do
	boot_case syscall-smp$n 0 "--smp $n" '--selftest=syscall' \
		'^selftest: syscall: write through a raw syscall instruction$' \
		'^kite: system call kexec_load \(246\) is not implemented: ENOSYS$' \
		'^selftest: syscall: raw and direct calls, registers and red zone kept, ENOSYS: ok$'
done

# musl (Debian's source, Kite's system-call glue) inside the kernel.
for n in 1 2; do
	boot_case libc-smp$n 0 "--smp $n" '--selftest=libc' '^selftest: libc: write\(\) through musl$' \
		"^selftest: libc: musl's printf, strtod, qsort, time and file calls with errno: ok$"
done

# Programs: the same binary on the host and in Kite (stdout and exit status),
# and programs that cannot start.
script_case diff-hello-smp1 tests/diff-test.sh hello 1
script_case diff-hello-smp2 tests/diff-test.sh hello 2 one "two words" "it's" four
script_case diff-fortified tests/diff-test.sh fortified 2 a b
script_case diff-alloc-smp1 tests/diff-test.sh alloc 1
script_case diff-alloc-smp2 tests/diff-test.sh alloc 2
script_case diff-mmap-smp1 tests/diff-test.sh mmap 1
script_case diff-mmap-smp2 tests/diff-test.sh mmap 2
script_case diff-limits-smp1 tests/diff-test.sh limits 1
script_case diff-limits-smp2 tests/diff-test.sh limits 2
script_case diff-signals-smp1 tests/diff-test.sh signals 1
script_case diff-signals-smp2 tests/diff-test.sh signals 2
script_case diff-ctors tests/diff-test.sh ctors 2
script_case diff-pthreads-smp1 tests/diff-test.sh pthreads 1
script_case diff-pthreads-smp2 tests/diff-test.sh pthreads 2
script_case diff-cxx-smp1 tests/diff-test.sh cxx 1
script_case diff-cxx-smp2 tests/diff-test.sh cxx 2
script_case diff-dlopen-smp1 tests/diff-test.sh dlopen 1
script_case diff-dlopen-smp2 tests/diff-test.sh dlopen 2
script_case diff-sockets-smp1 tests/diff-test.sh sockets 1
script_case diff-sockets-smp2 tests/diff-test.sh sockets 2
script_case diff-unixsock-smp1 tests/diff-test.sh unixsock 1
script_case diff-unixsock-smp2 tests/diff-test.sh unixsock 2
script_case shared-object-main tests/shared-main-test.sh 1 x "y z"
script_case relr-packed-relocations tests/build-diff-test.sh 1 apps/ctors/ctors.c "-O2 -Wl,-z,pack-relative-relocs"
script_case proc-maps-elf tests/maps-test.sh
script_case diff-fileapi-smp1 tests/diff-test.sh fileapi 1
script_case diff-fileapi-smp2 tests/diff-test.sh fileapi 2
# Debian's own binaries, unmodified (the environment they print is the one they were given).
script_case host-env-print tests/host-binary-test.sh /usr/bin/env 1 A=1 B="two words"
script_case host-env-nul tests/host-binary-test.sh /usr/bin/env 2 -0 -u A X=1 Y=2
PROGRAM_ENV="HOME=/root LANG=C A=1" script_case host-env-given tests/host-binary-test.sh /usr/bin/env 2 -u A C=3
script_case host-env-version tests/host-binary-test.sh /usr/bin/env 1 --version
script_case host-seq tests/host-binary-test.sh /usr/bin/seq 2 -w 0.5 0.25 3
script_case host-printf tests/host-binary-test.sh /usr/bin/printf 1 '%05.2f|%s|%x|%q\n' 3.14159 abc 255 "a b"
script_case host-sha256sum tests/host-binary-test.sh /usr/bin/sha256sum 2 /usr/bin/sha256sum
script_case host-head tests/host-binary-test.sh /usr/bin/head 1 -c 200 /usr/bin/head
# ... and with a shared library of their own from the image (libgmp).
script_case host-expr tests/host-binary-test.sh /usr/bin/expr 1 6 '*' 7 + 100000000000000000000
script_case host-factor tests/host-binary-test.sh /usr/bin/factor 2 1234567890123456789012345 97 360
script_case loader-bad tests/loader-bad-test.sh

# The console's status key (Ctrl-T) comes in by interrupt through the I/O APIC.
BOOT_INPUT='\x14k' boot_case console-status-key 0 '--smp 2' '--selftest=console' \
	'^threads:$' '^ +1 main +(blocked|running|runnable) ' '^ +[0-9]+ idle1 ' \
	'^selftest: console: the status key listed the threads, a read got the typed key: ok$'
# Real time from the CMOS clock, against the host's.
boot_case clock 0 '' "--selftest=clock --test-epoch=$(date +%s)" '^selftest: clock: .*: ok$'

# Crash reports: cause, registers, a symbolized backtrace, a distinct status.
crash='^backtrace:$'
frame='^  #0  ffffffff[0-9a-f]{8} '
boot_case crash-null 102 '' '--test-crash=null' \
	'^kite: crash: page fault writing 0000000000000000 \(not mapped, null pointer\)$' \
	'^  rip=ffffffff' "$crash" "${frame}crashtest_run\+0x" '^  #1  .* kmain\+0x' \
	'^kite: exit status 102 \(page fault\)$'
boot_case crash-wild 102 '' '--test-crash=wild' \
	'^kite: crash: page fault reading 00007ead0000dead \(not mapped\)$' "$crash"
boot_case crash-divzero 103 '' '--test-crash=divzero' \
	'^kite: crash: divide error \(vector 0\) at ffffffff' "$crash" "${frame}crashtest_run" \
	'^kite: exit status 103 \(divide error\)$'
boot_case crash-ud 104 '' '--test-crash=ud' '^kite: crash: invalid opcode \(vector 6\)' "$crash" \
	"${frame}crashtest_run" '^kite: exit status 104 \(invalid opcode\)$'
boot_case crash-gp 106 '' '--test-crash=gp' '^kite: crash: general protection fault \(vector 13\)' \
	"$crash" '^kite: exit status 106 \(general protection fault\)$'
boot_case crash-stack-overflow 105 '' '--test-crash=stack-overflow' \
	"^kite: crash: stack overflow: writing ffffffff[0-9a-f]+ hit the guard page of the 'boot' stack$" \
	"${frame}recurse" '^      \(the frame above [0-9]+ more times\)$' '^  #[0-9]+ .* kmain\+0x' \
	'^kite: exit status 105 \(stack overflow\)$'
boot_case crash-double-fault 107 '' '--test-crash=double-fault' \
	'^kite: crash: double fault \(vector 8\) at ffffffff' "$crash" "${frame}arch_crash_double_fault" \
	'^kite: exit status 107 \(double fault\)$'
boot_case crash-thread-stack-overflow 105 '' '--test-crash=thread-stack-overflow --threads-on-panic' \
	"^kite: crash: stack overflow: writing ffffc[0-9a-f]+ hit the guard page of the thread stack of thread 'overflower'$" \
	"^  thread 'overflower' \\(tid [0-9]+\\) on cpu 0$" '^threads:$' '^ +[0-9]+ overflower +running +0 ' \
	"${frame}recurse" '^  #[0-9]+ .* overflow_thread\+0x' '^kite: exit status 105 \(stack overflow\)$'
boot_case crash-panic-locked-smp4 100 '--smp 4' '--test-crash=panic-locked' \
	'^kite: panic: test: --test-crash=panic-locked \(holding a spinlock, interrupts off\)$' \
	"$crash" '^kite: exit status 100 \(panic\)$'
boot_case crash-panic 100 '' '--test-crash=panic' '^kite: panic: test: --test-crash=panic$' \
	"$crash" "${frame}crashtest_run" '^kite: exit status 100 \(panic\)$'
boot_case crash-assert 100 '' '--test-crash=assert' \
	"^kite: panic: assertion 'zero == 1' failed at core/crashtest.c:[0-9]+$" "$crash"
boot_case crash-oom 101 '' '--test-crash=oom' \
	'^kite: out of memory: test: the heap is exhausted after 1[12][0-9] MiB of 1 MiB blocks$' \
	'^kite: exit status 101 \(out of memory\)$'
boot_case crash-oom-8m 101 '--mem 8M' '--test-crash=oom' \
	'^kite: out of memory: test: the heap is exhausted after [3-6] MiB of 1 MiB blocks$'
boot_case crash-nx 102 '' '--test-crash=nx' '^kite: crash: page fault executing ffffffff[0-9a-f]+ \(protection violation\)$'
boot_case crash-wp 102 '' '--test-crash=wp' '^kite: crash: page fault writing ffffffff[0-9a-f]+ \(protection violation\)$'
boot_case crash-pc-smp2 102 '--machine pc --smp 2' '--test-crash=null' '^kite: exit status 102'

# virtio-net against QEMU's user-mode network: an ARP exchange with the
# gateway, then 600 more, under each notification and layout variant.
net_ok=('^kite: eth0: virtio-net' 'selftest: net: eth0: 10.0.2.2 is at 52:55:0a:00:02:02$'
	'selftest: net: 600 requests, 600 replies in [0-9]+ ms: ok$')
for variant in default:: smp2::--smp=2 event-idx-off:,event_idx=off: mrg-rxbuf-off:,mrg_rxbuf=off: \
	legacy:,disable-modern=on: legacy-no-event-idx:,disable-modern=on,event_idx=off: \
	modern-only:,disable-legacy=on: pc::--machine=pc \
	intx:,vectors=0: intx-legacy:,vectors=0,disable-modern=on: intx-pc:,vectors=0:--machine=pc; do
	IFS=: read -r name device_opts extra <<<"$variant"
	boot_case "net-$name" 0 "${extra//=/ } --qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0$device_opts --qemu-arg -netdev --qemu-arg user,id=n0" \
		'--selftest=net' "${net_ok[@]}"
done

# TCP through lwIP to an echo server on the host: by DHCP, on 2 CPUs, and
# with a static address from the command line.
script_case tcp-echo-dhcp tests/net-tcp-test.sh
script_case tcp-echo-smp2 tests/net-tcp-test.sh --smp 2
script_case tcp-echo-static-ip tests/net-tcp-test.sh -- --ip=10.0.2.15/24 --gw=10.0.2.2

# apps/httpserver (epoll, keep-alive) in Kite, driven from the host through
# QEMU's port forwarding: 20 connections x 50 requests, each answer checked;
# and 1,000 connections open at once.
script_case http-keepalive tests/http-test.sh 20 50
script_case http-1000-connections tests/http-test.sh 1000 1
script_case http-keepalive-intx tests/http-test.sh 20 50 --net-opts vectors=0

# apps/netpeer against tests/net/peer_server.c on the host, run on the host
# and in Kite with the same output: 100 MiB each way and both ways at once,
# a UDP echo, a non-blocking connect, a reset by the peer, a refused connection;
# with two CPUs also without net channels (both paths into lwIP stay tested).
script_case net-peer-smp1 tests/net-peer-test.sh 1
script_case net-peer-smp2 tests/net-peer-test.sh 2
KERNEL_ARGS=--net-channels=off script_case net-peer-smp2-no-channels tests/net-peer-test.sh 2

# Bad input from the host: malformed frames of every kind and a SYN flood
# (tests/net/inject.c) at apps/httpserver, which must keep answering.
script_case net-malformed-input tests/net-malformed-test.sh

# Name resolution: /etc/resolv.conf from DHCP or --dns, getaddrinfo from /etc/hosts.
script_case net-resolv-dhcp tests/net-resolv-test.sh dhcp
script_case net-resolv-option tests/net-resolv-test.sh option
