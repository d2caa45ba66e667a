/* System calls about the process, time and randomness (libc/sys_process.c),
 * with Linux's signatures; each returns its result or -errno. */
#ifndef KITE_SYS_PROCESS_H
#define KITE_SYS_PROCESS_H
#include <stddef.h>
#include <stdint.h>
#include <kite/stat.h>

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct timeval {
	int64_t tv_sec, tv_usec;
};

long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_getuid(void);
long sys_uname(struct utsname *u);
long sys_sched_yield(void);
long sys_exit(int status);
long sys_exit_group(int status);
long sys_clock_gettime(int clock, struct timespec64 *ts);
long sys_clock_getres(int clock, struct timespec64 *ts);
long sys_clock_nanosleep(int clock, int flags, const struct timespec64 *req, struct timespec64 *rem);
long sys_nanosleep(const struct timespec64 *req, struct timespec64 *rem);
long sys_gettimeofday(struct timeval *tv, void *tz);
long sys_time(int64_t *t);
long sys_getrandom(void *buf, size_t len, unsigned flags);
long sys_arch_prctl(int code, unsigned long addr);
long sys_set_tid_address(int *tidptr);
/* libc/sys_futex.c */
long sys_futex(uint32_t *addr, int op, uint32_t val, const struct timespec64 *timeout, uint32_t *addr2,
	       uint32_t val3);

#endif
