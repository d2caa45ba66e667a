/*
 * Limits, usage and CPU affinity (libc/sys_limits.c), with Linux's signatures;
 * each returns its result or -errno.
 */
#ifndef KITE_SYS_LIMITS_H
#define KITE_SYS_LIMITS_H
#include <stddef.h>
#include <stdint.h>
#include <kite/sys_process.h>

/* The program's main thread stack (the loader gives it; RLIMIT_STACK says it). */
#define MAIN_STACK_SIZE (1024 * 1024UL)	/* Linux's is 8 MiB; this one is mapped up front */

#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIMIT_NLIMITS 16
#define RLIM_INFINITY (~0UL)

struct rlimit {
	uint64_t rlim_cur, rlim_max;
};

struct rusage {
	struct timeval ru_utime, ru_stime;
	long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap;
	long ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};

struct sysinfo {
	long uptime;
	unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	unsigned long totalhigh, freehigh;
	uint32_t mem_unit;
};
_Static_assert(sizeof(struct sysinfo) == 112, "Linux x86-64's struct sysinfo");
_Static_assert(sizeof(struct rusage) == 144, "Linux x86-64's struct rusage");

long sys_getrlimit(int resource, struct rlimit *old);
long sys_setrlimit(int resource, const struct rlimit *new_limit);
long sys_prlimit64(int pid, int resource, const struct rlimit *new_limit, struct rlimit *old);
long sys_getrusage(int who, struct rusage *usage);
long sys_sysinfo(struct sysinfo *info);
long sys_sched_getaffinity(int pid, size_t size, uint64_t *mask);
long sys_sched_setaffinity(int pid, size_t size, const uint64_t *mask);
long sys_set_robust_list(void *head, size_t len);

#endif
