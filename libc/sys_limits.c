/*
 * Limits, usage and CPU affinity (see sys_limits.h). The limits are one table
 * for the one process; a limit Kite enforces is one of its own sizes (the file
 * table, the main stack), so those can be lowered but not raised past it.
 */
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/frame.h>
#include <kite/spinlock.h>
#include <kite/sys_limits.h>
#include <kite/thread.h>

static spinlock_t limits_lock = SPINLOCK_INIT;
static struct rlimit limits[RLIMIT_NLIMITS] = {
	[RLIMIT_CPU] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_STACK] = { MAIN_STACK_SIZE, MAIN_STACK_SIZE },
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },
	[RLIMIT_RSS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NPROC] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NOFILE] = { FD_LIMIT, FD_LIMIT },
	[RLIMIT_MEMLOCK] = { 8 << 20, 8 << 20 },
	[RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_LOCKS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_SIGPENDING] = { 1024, 1024 },
	[RLIMIT_MSGQUEUE] = { 819200, 819200 },
	[RLIMIT_NICE] = { 0, 0 },
	[RLIMIT_RTPRIO] = { 0, 0 },
	[RLIMIT_RTTIME] = { RLIM_INFINITY, RLIM_INFINITY },
};

/* The most a limit can be: what Kite has, for the limits that are its sizes. */
static uint64_t ceiling(int resource)
{
	switch (resource) {
	case RLIMIT_NOFILE:
		return FD_LIMIT;
	case RLIMIT_STACK:
		return MAIN_STACK_SIZE;
	default:
		return RLIM_INFINITY;
	}
}

static bool is_self(int pid)
{
	return pid == 0 || pid == 1;	/* the process is pid 1 */
}

long sys_prlimit64(int pid, int resource, const struct rlimit *new_limit, struct rlimit *old)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (!is_self(pid))
		return -ESRCH;
	struct rlimit wanted = { 0, 0 };
	if (new_limit) {
		wanted = *new_limit;
		if (wanted.rlim_cur > wanted.rlim_max)
			return -EINVAL;
		if (wanted.rlim_max > ceiling(resource) && wanted.rlim_max != RLIM_INFINITY)
			return -EPERM;
		if (wanted.rlim_max == RLIM_INFINITY && ceiling(resource) != RLIM_INFINITY)
			return -EPERM;
	}
	spin_lock(&limits_lock);
	struct rlimit was = limits[resource];
	if (new_limit)
		limits[resource] = wanted;
	spin_unlock(&limits_lock);
	if (old)
		*old = was;
	return 0;
}

long sys_getrlimit(int resource, struct rlimit *old)
{
	return sys_prlimit64(0, resource, NULL, old);
}

long sys_setrlimit(int resource, const struct rlimit *new_limit)
{
	return sys_prlimit64(0, resource, new_limit, NULL);
}

static struct timeval to_timeval(uint64_t ns)
{
	return (struct timeval){ .tv_sec = (int64_t)(ns / 1000000000), .tv_usec = (int64_t)(ns % 1000000000 / 1000) };
}

/* Kite has no user mode: a thread's CPU time is all "user" time. */
long sys_getrusage(int who, struct rusage *usage)
{
	enum { RUSAGE_CHILDREN = -1, RUSAGE_SELF = 0, RUSAGE_THREAD = 1 };
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	*usage = (struct rusage){ 0 };
	if (who == RUSAGE_CHILDREN)
		return 0;
	uint64_t ns = who == RUSAGE_THREAD ? thread_cpu_time_ns(current()) : threads_cpu_time_ns();
	usage->ru_utime = to_timeval(ns);
	size_t used = kernel_frames.total_frames - kernel_frames.free_frames;
	usage->ru_maxrss = (long)(used * (PAGE_SIZE / 1024));	/* in KiB, as Linux gives it */
	return 0;
}

long sys_sysinfo(struct sysinfo *info)
{
	*info = (struct sysinfo){
		.uptime = (long)(clock_monotonic_ns() / 1000000000),
		.totalram = kernel_frames.total_frames * PAGE_SIZE,
		.freeram = kernel_frames.free_frames * PAGE_SIZE,
		.procs = (uint16_t)thread_count(),
		.mem_unit = 1,
	};
	return 0;
}

static uint64_t online_cpus(void)
{
	return nr_cpus >= 64 ? ~0UL : (1UL << nr_cpus) - 1;
}

/* Only the calling thread (0 or its own id): Kite has no thread lookup by id yet. */
static bool is_current_thread(int pid)
{
	return pid == 0 || (unsigned)pid == current()->tid;
}

long sys_sched_getaffinity(int pid, size_t size, uint64_t *mask)
{
	if (size < sizeof *mask || size % sizeof(long))
		return -EINVAL;
	if (!is_current_thread(pid))
		return -ESRCH;
	uint64_t affinity = current()->affinity;
	*mask = (affinity ? affinity : ~0UL) & online_cpus();
	return sizeof *mask;
}

long sys_sched_setaffinity(int pid, size_t size, const uint64_t *mask)
{
	if (size < sizeof *mask)
		return -EINVAL;
	if (!is_current_thread(pid))
		return -ESRCH;
	uint64_t wanted = *mask & online_cpus();
	if (!wanted)
		return -EINVAL;
	thread_set_affinity(current(), wanted);
	return 0;
}

/* The robust-futex list matters when a thread dies holding a lock; recorded, not yet walked. */
long sys_set_robust_list(void *head, size_t len)
{
	(void)head;
	if (len != 3 * sizeof(void *))
		return -EINVAL;
	return 0;
}
