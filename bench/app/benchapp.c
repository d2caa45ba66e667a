/* See benchapp.h. */
#define _GNU_SOURCE
#include "benchapp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *bench_name = "bench";
static int linux_init;

static __attribute__((noreturn)) void finish(int status)
{
	fflush(stdout);
	if (linux_init) {
		sync();
		reboot(RB_POWER_OFF);
		/* Only reached if the power-off failed; init must not return. */
		for (;;)
			pause();
	}
	exit(status);
}

int bench_begin(const char *name, int argc, char **argv)
{
	bench_name = name;
	int kept = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--linux-init") == 0)
			linux_init = 1;
		else
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	/* Line-buffered even when the console is not a terminal, so that a
	 * crash loses nothing that was measured. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (linux_init) {
		mkdir("/proc", 0555);
		mkdir("/tmp", 01777);
		if (mount("proc", "/proc", "proc", 0, NULL) != 0)
			bench_fail("mount /proc", errno);
		/* Big enough for bench/files' 256 MiB file (tmpfs's default is
		 * half of the memory). */
		if (mount("tmpfs", "/tmp", "tmpfs", 0, "size=90%") != 0)
			bench_fail("mount tmpfs on /tmp", errno);
	}
	return kept;
}

void bench_report(const char *metric, double value)
{
	printf("%s: %s %.1f\n", bench_name, metric, value);
}

void bench_end(void)
{
	printf("%s: done\n", bench_name);
	finish(0);
}

void bench_fail(const char *what, int err)
{
	printf("%s: error: %s: %s\n", bench_name, what, strerror(err));
	finish(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
