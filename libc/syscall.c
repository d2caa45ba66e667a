/*
 * The system-call table and its dispatcher (see syscall.h). Numbers and names
 * come from Linux's own header (scripts/gen-syscalls.sh), so they cannot drift.
 * The entries are the kernel's functions with their own prototypes; the x86-64
 * calling convention passes the six arguments in the same registers whatever
 * the callee declares, so one pointer type serves them all.
 */
#include <kite/errno.h>
#include <kite/fs_calls.h>
#include <kite/printk.h>
#include <kite/socket.h>
#include <kite/syscall.h>
#include <kite/sys_limits.h>
#include <kite/sys_memory.h>
#include <kite/sys_process.h>
#include <kite/sys_signal.h>
#include <stdbool.h>
#include <stdint.h>

enum {
#define SYSCALL(nr, name) NR_##name = nr,
#include <syscall_list.h>
#undef SYSCALL
};

typedef long (*syscall_fn)(long, long, long, long, long, long);
#define ENTRY(name, fn) [NR_##name] = (syscall_fn)(void (*)(void))(fn)

static const syscall_fn table[SYSCALL_TABLE_SIZE] = {
	/* files (fs/) */
	ENTRY(read, sys_read),
	ENTRY(write, sys_write),
	ENTRY(open, sys_open),
	ENTRY(close, sys_close),
	ENTRY(stat, sys_stat),
	ENTRY(fstat, sys_fstat),
	ENTRY(lstat, sys_lstat),
	ENTRY(lseek, sys_lseek),
	ENTRY(ioctl, sys_ioctl),
	ENTRY(pread64, sys_pread64),
	ENTRY(pwrite64, sys_pwrite64),
	ENTRY(readv, sys_readv),
	ENTRY(writev, sys_writev),
	ENTRY(access, sys_access),
	ENTRY(pipe, sys_pipe),
	ENTRY(dup, sys_dup),
	ENTRY(dup2, sys_dup2),
	ENTRY(sendfile, sys_sendfile),
	ENTRY(fcntl, sys_fcntl),
	ENTRY(fsync, sys_fsync),
	ENTRY(fdatasync, sys_fdatasync),
	ENTRY(fadvise64, sys_fadvise64),
	ENTRY(truncate, sys_truncate),
	ENTRY(ftruncate, sys_ftruncate),
	ENTRY(getcwd, sys_getcwd),
	ENTRY(chdir, sys_chdir),
	ENTRY(fchdir, sys_fchdir),
	ENTRY(rename, sys_rename),
	ENTRY(mkdir, sys_mkdir),
	ENTRY(rmdir, sys_rmdir),
	ENTRY(link, sys_link),
	ENTRY(unlink, sys_unlink),
	ENTRY(symlink, sys_symlink),
	ENTRY(readlink, sys_readlink),
	ENTRY(umask, sys_umask),
	ENTRY(getdents64, sys_getdents64),
	ENTRY(openat, sys_openat),
	ENTRY(mkdirat, sys_mkdirat),
	ENTRY(newfstatat, sys_newfstatat),
	ENTRY(unlinkat, sys_unlinkat),
	ENTRY(linkat, sys_linkat),
	ENTRY(symlinkat, sys_symlinkat),
	ENTRY(readlinkat, sys_readlinkat),
	ENTRY(faccessat, sys_faccessat),
	ENTRY(renameat2, sys_renameat2),
	ENTRY(utimensat, sys_utimensat),
	ENTRY(fallocate, sys_fallocate),
	ENTRY(dup3, sys_dup3),
	ENTRY(pipe2, sys_pipe2),
	ENTRY(copy_file_range, sys_copy_file_range),
	ENTRY(statx, sys_statx),
	/* memory (libc/sys_memory.c) */
	ENTRY(mmap, sys_mmap),
	ENTRY(munmap, sys_munmap),
	ENTRY(mprotect, sys_mprotect),
	ENTRY(mremap, sys_mremap),
	ENTRY(madvise, sys_madvise),
	ENTRY(brk, sys_brk),
	/* limits, usage, affinity (libc/sys_limits.c) */
	ENTRY(getrlimit, sys_getrlimit),
	ENTRY(setrlimit, sys_setrlimit),
	ENTRY(prlimit64, sys_prlimit64),
	ENTRY(getrusage, sys_getrusage),
	ENTRY(sysinfo, sys_sysinfo),
	ENTRY(sched_getaffinity, sys_sched_getaffinity),
	ENTRY(sched_setaffinity, sys_sched_setaffinity),
	ENTRY(set_robust_list, sys_set_robust_list),
	/* signals (libc/sys_signal.c) */
	ENTRY(rt_sigaction, sys_rt_sigaction),
	ENTRY(rt_sigprocmask, sys_rt_sigprocmask),
	ENTRY(rt_sigpending, sys_rt_sigpending),
	ENTRY(sigaltstack, sys_sigaltstack),
	ENTRY(kill, sys_kill),
	ENTRY(tkill, sys_tkill),
	ENTRY(tgkill, sys_tgkill),
	/* the process, time and randomness (libc/sys_process.c) */
	ENTRY(sched_yield, sys_sched_yield),
	ENTRY(nanosleep, sys_nanosleep),
	ENTRY(getpid, sys_getpid),
	ENTRY(exit, sys_exit),
	ENTRY(uname, sys_uname),
	ENTRY(gettimeofday, sys_gettimeofday),
	ENTRY(getuid, sys_getuid),
	ENTRY(getgid, sys_getuid),
	ENTRY(geteuid, sys_getuid),
	ENTRY(getegid, sys_getuid),
	ENTRY(getppid, sys_getppid),
	ENTRY(gettid, sys_gettid),
	ENTRY(time, sys_time),
	ENTRY(clock_gettime, sys_clock_gettime),
	ENTRY(clock_getres, sys_clock_getres),
	ENTRY(clock_nanosleep, sys_clock_nanosleep),
	ENTRY(exit_group, sys_exit_group),
	ENTRY(getrandom, sys_getrandom),
	ENTRY(arch_prctl, sys_arch_prctl),
	ENTRY(set_tid_address, sys_set_tid_address),
	ENTRY(futex, sys_futex),
	ENTRY(poll, sys_poll),
	ENTRY(ppoll, sys_ppoll),
	ENTRY(select, sys_select),
	ENTRY(pselect6, sys_pselect6),
	ENTRY(epoll_create, sys_epoll_create),
	ENTRY(epoll_create1, sys_epoll_create1),
	ENTRY(epoll_ctl, sys_epoll_ctl),
	ENTRY(epoll_wait, sys_epoll_wait),
	ENTRY(epoll_pwait, sys_epoll_pwait),
	ENTRY(eventfd, sys_eventfd),
	ENTRY(eventfd2, sys_eventfd2),
	/* sockets (net/socket.c) */
	ENTRY(socket, sys_socket),
	ENTRY(socketpair, sys_socketpair),
	ENTRY(bind, sys_bind),
	ENTRY(listen, sys_listen),
	ENTRY(accept, sys_accept),
	ENTRY(accept4, sys_accept4),
	ENTRY(connect, sys_connect),
	ENTRY(sendto, sys_sendto),
	ENTRY(recvfrom, sys_recvfrom),
	ENTRY(sendmsg, sys_sendmsg),
	ENTRY(recvmsg, sys_recvmsg),
	ENTRY(shutdown, sys_shutdown),
	ENTRY(getsockname, sys_getsockname),
	ENTRY(getpeername, sys_getpeername),
	ENTRY(setsockopt, sys_setsockopt),
	ENTRY(getsockopt, sys_getsockopt),
};

static const char *const names[SYSCALL_TABLE_SIZE] = {
#define SYSCALL(nr, name) [nr] = #name,
#include <syscall_list.h>
#undef SYSCALL
};

static uint64_t logged[SYSCALL_TABLE_SIZE / 64 + 1]; /* atomic bits: missing calls already reported */

const char *syscall_name(long nr)
{
	return nr >= 0 && nr < SYSCALL_TABLE_SIZE && names[nr] ? names[nr] : "?";
}

static long missing(long nr)
{
	unsigned long bit = nr >= 0 && nr < SYSCALL_TABLE_SIZE ? (unsigned long)nr : SYSCALL_TABLE_SIZE;
	uint64_t mask = 1ULL << (bit % 64);
	if (!(__atomic_fetch_or(&logged[bit / 64], mask, __ATOMIC_RELAXED) & mask))
		pr_warn("kite: system call %s (%ld) is not implemented: ENOSYS\n", syscall_name(nr), nr);
	return -ENOSYS;
}

long syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (nr < 0 || nr >= SYSCALL_TABLE_SIZE || !table[nr])
		return missing(nr);
	return table[nr](a0, a1, a2, a3, a4, a5);
}
