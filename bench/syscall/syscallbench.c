/*
 * The system-call benchmark (bench/syscall.sh): what a call into the kernel
 * costs, through libc, as an ordinary program sees it.
 *
 *   getpid-ns          getpid(), a call that does no work (glibc does not cache it)
 *   clock-gettime-ns   clock_gettime(CLOCK_MONOTONIC) (Linux answers it in the vDSO)
 *   pread-4k-ns        a 4 KiB pread from a cached file under /tmp
 *   mmap-64k-ns        mmap of 64 KiB anonymous memory, one byte written, munmap
 *
 * Each figure is the best of five batches, in nanoseconds per operation.
 *   syscallbench [--scale N]   (N multiplies the batch sizes; default 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../app/benchapp.h"

#define BATCHES 5

static volatile long sink;

static void op_getpid(long n)
{
	for (long i = 0; i < n; i++)
		sink += getpid();
}

static void op_clock_gettime(long n)
{
	struct timespec ts;
	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += ts.tv_nsec;
	}
}

static int cached_fd;

static void op_pread(long n)
{
	static char buf[4096];
	for (long i = 0; i < n; i++) {
		if (pread(cached_fd, buf, sizeof(buf), (off_t)(i & 15) * 4096) != sizeof(buf))
			bench_fail("pread", errno ? errno : EIO);
		sink += buf[i & 4095];
	}
}

static void op_mmap(long n)
{
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			bench_fail("mmap", errno);
		p[i & 65535] = 1;
		if (munmap(p, 65536) != 0)
			bench_fail("munmap", errno);
	}
}

static void measure(const char *metric, void (*op)(long), long n)
{
	double best = 0;
	op(n / 10); /* warm up: caches, page tables, lazy binding */
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = bench_now_ns();
		op(n);
		double ns = (double)(bench_now_ns() - t0) / (double)n;
		if (b == 0 || ns < best)
			best = ns;
	}
	bench_report(metric, best);
}

/* A 64 KiB file whose pages the reads will find in memory. */
static void make_cached_file(void)
{
	char path[64], block[4096];
	snprintf(path, sizeof(path), "/tmp/syscallbench.%d", (int)getpid());
	cached_fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (cached_fd < 0)
		bench_fail(path, errno);
	memset(block, 'k', sizeof(block));
	for (int i = 0; i < 16; i++)
		if (write(cached_fd, block, sizeof(block)) != sizeof(block))
			bench_fail("write", errno ? errno : EIO);
	unlink(path);
}

int main(int argc, char **argv)
{
	argc = bench_begin("syscallbench", argc, argv);
	long scale = 1;
	if (argc == 3 && strcmp(argv[1], "--scale") == 0)
		scale = strtol(argv[2], NULL, 10);
	else if (argc != 1)
		bench_fail("usage: syscallbench [--scale N]", EINVAL);
	if (scale < 1 || scale > 1000)
		bench_fail("--scale wants 1..1000", EINVAL);

	make_cached_file();
	measure("getpid-ns", op_getpid, 100000 * scale);
	measure("clock-gettime-ns", op_clock_gettime, 100000 * scale);
	measure("pread-4k-ns", op_pread, 20000 * scale);
	measure("mmap-64k-ns", op_mmap, 5000 * scale);
	close(cached_fd);
	bench_end();
}
