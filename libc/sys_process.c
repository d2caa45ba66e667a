/*
 * The process-wide calls: identity (one process, pid 1, root), uname (Linux,
 * as applications check), exit, time and sleep, randomness.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/exit.h>
#include <kite/random.h>
#include <kite/sched.h>
#include <kite/sys_process.h>
#include <kite/thread.h>
#include <string.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2

long sys_getpid(void)
{
	return 1;
}

long sys_getppid(void)
{
	return 0;
}

long sys_gettid(void)
{
	return current()->tid;
}

long sys_getuid(void)
{
	return 0;
}

long sys_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Linux"); /* what programs test for */
	strcpy(u->nodename, "kite");
	strcpy(u->release, "6.1.0-kite");
	strcpy(u->version, "#1 SMP Kite 0.1");
	strcpy(u->machine, "x86_64");
	strcpy(u->domainname, "(none)");
	return 0;
}

long sys_sched_yield(void)
{
	thread_yield();
	return 0;
}

long sys_exit_group(int status)
{
	kite_exit(status & 0xff);
}

static int clock_read(int clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = clock_monotonic_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_PROCESS_CPUTIME_ID: {
		/* FIXME: the process's time is its threads' sum; one thread's for now. */
		struct thread *t = current();
		*ns = t->cpu_time_ns + (clock_monotonic_ns() - t->run_start_ns);
		return 0;
	}
	}
	return -EINVAL;
}

static struct timespec64 to_timespec(uint64_t ns)
{
	return (struct timespec64){ .tv_sec = (int64_t)(ns / NSEC_PER_SEC), .tv_nsec = (int64_t)(ns % NSEC_PER_SEC) };
}

long sys_clock_gettime(int clock, struct timespec64 *ts)
{
	uint64_t ns;
	int err = clock_read(clock, &ns);
	if (!err)
		*ts = to_timespec(ns);
	return err;
}

long sys_clock_getres(int clock, struct timespec64 *ts)
{
	uint64_t ns;
	int err = clock_read(clock, &ns);
	if (!err && ts)
		*ts = (struct timespec64){ 0, 1 };
	return err;
}

long sys_clock_nanosleep(int clock, int flags, const struct timespec64 *req, struct timespec64 *rem)
{
	uint64_t now;
	int err = clock_read(clock, &now);
	if (err || clock == CLOCK_THREAD_CPUTIME_ID)
		return err ? err : -EINVAL;
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t want = (uint64_t)req->tv_sec * NSEC_PER_SEC + (uint64_t)req->tv_nsec;
	uint64_t deadline = clock_monotonic_ns() + ((flags & TIMER_ABSTIME) ? (want > now ? want - now : 0) : want);
	thread_sleep_until(deadline);
	if (rem && !(flags & TIMER_ABSTIME))
		*rem = (struct timespec64){ 0, 0 };
	return 0;
}

long sys_nanosleep(const struct timespec64 *req, struct timespec64 *rem)
{
	return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}

long sys_gettimeofday(struct timeval *tv, void *tz)
{
	if (tv) {
		uint64_t ns = clock_realtime_ns();
		tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
		tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
	}
	if (tz)
		memset(tz, 0, 8); /* struct timezone: UTC */
	return 0;
}

long sys_time(int64_t *t)
{
	int64_t s = (int64_t)(clock_realtime_ns() / NSEC_PER_SEC);
	if (t)
		*t = s;
	return s;
}

/* The generator is seeded at boot, so it never blocks: both flags are moot. */
long sys_getrandom(void *buf, size_t len, unsigned flags)
{
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM))
		return -EINVAL;
	if (len > 0x1ffffff)
		len = 0x1ffffff; /* Linux's cap per call */
	random_bytes(buf, len);
	return (long)len;
}

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

void arch_set_fs_base(uint64_t base);

long sys_arch_prctl(int code, unsigned long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		arch_set_fs_base(addr);
		return 0;
	case ARCH_GET_FS:
		*(uint64_t *)addr = current()->arch.fs_base;
		return 0;
	}
	return -EINVAL;
}

/* FIXME: clear and wake *tidptr when the thread exits (musl's pthread_join). */
long sys_set_tid_address(int *tidptr)
{
	(void)tidptr;
	return current()->tid;
}
