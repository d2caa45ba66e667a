/*
 * The file-system benchmark (bench/files.sh): sequential write and read of a
 * 256 MiB file with 4 KiB and with 1 MiB buffers, then 10,000 files created,
 * stat'ed and unlinked, in a directory under /tmp (Kite's ramfs; a tmpfs in
 * the Linux guest). Every 4 KiB block carries its own offset, and the reads
 * check it, so a file system that loses or misplaces data fails the run.
 *
 *   filebench [--size MIB] [--files N] [DIR]
 *
 * Results, all times (lower is better):
 *   write-4k-ms, read-4k-ms, write-1m-ms, read-1m-ms   the whole file
 *   create-us, stat-us, unlink-us                      per file
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../app/benchapp.h"

#define BLOCK 4096

static void stamp_blocks(unsigned char *buf, size_t len, uint64_t offset)
{
	for (size_t at = 0; at < len; at += BLOCK) {
		uint64_t here = offset + at;
		memcpy(buf + at, &here, sizeof(here));
	}
}

static void check_blocks(const unsigned char *buf, size_t len, uint64_t offset)
{
	for (size_t at = 0; at < len; at += BLOCK) {
		uint64_t want = offset + at, got;
		memcpy(&got, buf + at, sizeof(got));
		if (got != want) {
			char what[120];
			snprintf(what, sizeof(what), "read back block at offset %llu holds %llu",
				 (unsigned long long)want, (unsigned long long)got);
			bench_fail(what, EIO);
		}
	}
}

/* Writes then reads back SIZE bytes in BUFSIZE pieces; reports both times. */
static void sequential(const char *dir, size_t size, size_t bufsize, const char *label)
{
	char path[512], metric[32];
	snprintf(path, sizeof(path), "%s/seq-%s", dir, label);
	unsigned char *buf = malloc(bufsize);
	if (!buf)
		bench_fail("malloc", ENOMEM);
	memset(buf, 0xa5, bufsize);

	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		bench_fail(path, errno);
	uint64_t t0 = bench_now_ns();
	for (size_t off = 0; off < size; off += bufsize) {
		stamp_blocks(buf, bufsize, off);
		if (write(fd, buf, bufsize) != (ssize_t)bufsize)
			bench_fail("write", errno ? errno : EIO);
	}
	uint64_t t1 = bench_now_ns();
	close(fd);

	fd = open(path, O_RDONLY);
	if (fd < 0)
		bench_fail(path, errno);
	uint64_t t2 = bench_now_ns();
	for (size_t off = 0; off < size; off += bufsize) {
		if (read(fd, buf, bufsize) != (ssize_t)bufsize)
			bench_fail("read", errno ? errno : EIO);
		check_blocks(buf, bufsize, off);
	}
	uint64_t t3 = bench_now_ns();
	close(fd);
	if (unlink(path) != 0)
		bench_fail("unlink", errno);
	free(buf);

	snprintf(metric, sizeof(metric), "write-%s-ms", label);
	bench_report(metric, (double)(t1 - t0) / 1e6);
	snprintf(metric, sizeof(metric), "read-%s-ms", label);
	bench_report(metric, (double)(t3 - t2) / 1e6);
}

/* NFILES files created (open O_CREAT|O_EXCL + close), stat'ed, unlinked. */
static void metadata(const char *dir, int nfiles)
{
	char path[512];
	struct stat st;
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			bench_fail(path, errno);
		close(fd);
	}
	uint64_t t1 = bench_now_ns();
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		if (stat(path, &st) != 0)
			bench_fail(path, errno);
		if (!S_ISREG(st.st_mode) || st.st_size != 0)
			bench_fail("stat: not an empty regular file", EIO);
	}
	uint64_t t2 = bench_now_ns();
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		if (unlink(path) != 0)
			bench_fail(path, errno);
	}
	uint64_t t3 = bench_now_ns();
	bench_report("create-us", (double)(t1 - t0) / 1e3 / nfiles);
	bench_report("stat-us", (double)(t2 - t1) / 1e3 / nfiles);
	bench_report("unlink-us", (double)(t3 - t2) / 1e3 / nfiles);
}

int main(int argc, char **argv)
{
	argc = bench_begin("filebench", argc, argv);
	long size_mib = 256, nfiles = 10000;
	const char *parent = "/tmp";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size_mib = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--files") == 0 && i + 1 < argc)
			nfiles = strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-')
			parent = argv[i];
		else
			bench_fail(argv[i], EINVAL);
	}
	if (size_mib < 1 || size_mib > 4096 || nfiles < 1 || nfiles > 1000000)
		bench_fail("--size wants 1..4096 (MiB), --files 1..1000000", EINVAL);

	char dir[256];
	snprintf(dir, sizeof(dir), "%s/filebench.%d", parent, (int)getpid());
	if (mkdir(dir, 0755) != 0)
		bench_fail(dir, errno);
	size_t size = (size_t)size_mib << 20;
	sequential(dir, size, 4096, "4k");
	sequential(dir, size, 1 << 20, "1m");
	metadata(dir, (int)nfiles);
	if (rmdir(dir) != 0)
		bench_fail(dir, errno);
	bench_end();
}
