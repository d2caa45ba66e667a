/*
 * Limits, usage and affinity as programs query them. The values differ from
 * machine to machine, so it prints the properties Linux guarantees, not the
 * numbers, and host and Kite outputs compare.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static double cpu_seconds(int who)
{
	struct rusage ru;
	if (getrusage(who, &ru))
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(void)
{
	struct rlimit rl;
	check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 64 && rl.rlim_cur <= rl.rlim_max,
	      "RLIMIT_NOFILE: at least 64, soft <= hard");
	check(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur >= 65536, "RLIMIT_STACK: at least 64 KiB");
	struct rlimit lower = { 100, rl.rlim_max };
	getrlimit(RLIMIT_NOFILE, &rl);
	lower.rlim_max = rl.rlim_max;
	struct rlimit back;
	check(setrlimit(RLIMIT_NOFILE, &lower) == 0 && getrlimit(RLIMIT_NOFILE, &back) == 0 && back.rlim_cur == 100,
	      "lower RLIMIT_NOFILE's soft limit and read it back");
	check(setrlimit(RLIMIT_NOFILE, &rl) == 0, "raise it again up to the hard limit");
	struct rlimit inverted = { 10, 5 };
	check(setrlimit(RLIMIT_NOFILE, &inverted) == -1 && errno == EINVAL, "soft above hard: EINVAL");
	check(getrlimit(99, &rl) == -1 && errno == EINVAL, "unknown resource: EINVAL");
	check(prlimit(0, RLIMIT_CORE, NULL, &rl) == 0, "prlimit reads");

	double before = cpu_seconds(RUSAGE_SELF);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 200000000L);
	double after = cpu_seconds(RUSAGE_SELF);
	check(before >= 0 && after - before >= 0.1, "getrusage: 0.2 s of spinning counts as CPU time");
	check(cpu_seconds(RUSAGE_THREAD) >= 0.1, "RUSAGE_THREAD too");
	check(getrusage(7, &(struct rusage){ 0 }) == -1 && errno == EINVAL, "getrusage of nobody: EINVAL");

	struct sysinfo si;
	check(sysinfo(&si) == 0 && si.mem_unit >= 1 && si.totalram > 0 && si.freeram > 0 &&
	      si.freeram <= si.totalram && si.procs >= 1, "sysinfo: memory and processes");

	cpu_set_t set;
	CPU_ZERO(&set);
	check(sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1, "sched_getaffinity: some CPU");
	int first = 0;
	while (!CPU_ISSET(first, &set))
		first++;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	check(sched_setaffinity(0, sizeof one, &one) == 0 && sched_getaffinity(0, sizeof set, &set) == 0 &&
	      CPU_EQUAL(&set, &one), "sched_setaffinity to one CPU, read back");
	CPU_ZERO(&one);
	check(sched_setaffinity(0, sizeof one, &one) == -1 && errno == EINVAL, "no CPU at all: EINVAL");

	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
