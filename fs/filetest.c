/*
 * --selftest=files: the file calls inside the guest, with their error cases,
 * pipes between threads, sparse files and the descriptor limit. Written against
 * the calls' Linux signatures, so that it can become a program that also runs
 * on Linux once the loader lands (the differential test of the VFS issue).
 */
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/sched.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/ramfs.h>
#include <kite/sys_signal.h>
#include <kite/thread.h>
#include <string.h>

#define check(cond) do { if (!(cond)) panic("selftest: files: %s:%d: %s", __FILE__, __LINE__, #cond); } while (0)
#define check_eq(a, b) do { long _a = (long)(a), _b = (long)(b); \
	if (_a != _b) panic("selftest: files: %s:%d: %s == %s (%ld != %ld)", __FILE__, __LINE__, #a, #b, _a, _b); } while (0)

static void basic_io(void)
{
	char buf[64];
	int fd = sys_open("/tmp/a", O_CREAT | O_RDWR | O_EXCL, 0644);
	check(fd >= 3);
	check_eq(sys_open("/tmp/a", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
	check_eq(sys_write(fd, "hello world", 11), 11);
	check_eq(sys_lseek(fd, 0, SEEK_SET), 0);
	check_eq(sys_read(fd, buf, sizeof(buf)), 11);
	check(!memcmp(buf, "hello world", 11));
	check_eq(sys_read(fd, buf, sizeof(buf)), 0);
	check_eq(sys_lseek(fd, -5, SEEK_END), 6);
	check_eq(sys_read(fd, buf, 5), 5);
	check(!memcmp(buf, "world", 5));
	check_eq(sys_lseek(fd, -100, SEEK_CUR), -EINVAL);
	check_eq(sys_pwrite64(fd, "J", 1, 0), 1);
	check_eq(sys_pread64(fd, buf, 5, 0), 5);
	check(!memcmp(buf, "Jello", 5));
	check_eq(sys_pread64(fd, buf, 1, -1), -EINVAL);
	struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
	check_eq(sys_lseek(fd, 0, SEEK_END), 11);
	check_eq(sys_writev(fd, iov, 2), 4);
	char x[3] = { 0 }, y[3] = { 0 };
	struct iovec rv[2] = { { x, 2 }, { y, 2 } };
	check_eq(sys_pread64(fd, x, 0, 0), 0);
	check_eq(sys_lseek(fd, 11, SEEK_SET), 11);
	check_eq(sys_readv(fd, rv, 2), 4);
	check(!strcmp(x, "ab") && !strcmp(y, "cd"));
	struct kstat st;
	check_eq(sys_fstat(fd, &st), 0);
	check_eq(st.st_size, 15);
	check(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644);
	check_eq(sys_close(fd), 0);
	check_eq(sys_close(fd), -EBADF);
	check_eq(sys_read(fd, buf, 1), -EBADF);

	fd = sys_open("/tmp/a", O_RDONLY, 0);
	check_eq(sys_write(fd, "x", 1), -EBADF);
	check_eq(sys_ftruncate(fd, 0), -EINVAL);
	sys_close(fd);
	fd = sys_open("/tmp/a", O_WRONLY | O_APPEND, 0);
	check_eq(sys_write(fd, "!", 1), 1);
	check_eq(sys_stat("/tmp/a", &st), 0);
	check_eq(st.st_size, 16);
	sys_close(fd);
	fd = sys_open("/tmp/a", O_RDWR | O_TRUNC, 0);
	check_eq(sys_fstat(fd, &st), 0);
	check_eq(st.st_size, 0);
	sys_close(fd);
	check_eq(sys_truncate("/tmp/a", 5000), 0);
	check_eq(sys_stat("/tmp/a", &st), 0);
	check_eq(st.st_size, 5000);
	check_eq(sys_truncate("/tmp/a", -1), -EINVAL);
	check_eq(sys_open("/tmp/missing", O_RDONLY, 0), -ENOENT);
	check_eq(sys_open("/tmp", O_WRONLY, 0), -EISDIR);
	check_eq(sys_open("/tmp/a/b", O_RDONLY, 0), -ENOTDIR);
	check_eq(sys_open("/tmp/a", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	check_eq(sys_access("/tmp/a", 4), 0);
	check_eq(sys_access("/tmp/a", 1), -EACCES);
	check_eq(sys_access("/tmp/nope", 0), -ENOENT);
	unsigned old = sys_umask(077);
	fd = sys_open("/tmp/private", O_CREAT | O_WRONLY, 0666);
	check_eq(sys_fstat(fd, &st), 0);
	check_eq(st.st_mode & 0777, 0600);
	sys_close(fd);
	sys_umask(old);
}

static void names(void)
{
	struct kstat st, lst;
	char buf[256];
	check_eq(sys_mkdir("/tmp/d", 0755), 0);
	check_eq(sys_mkdir("/tmp/d", 0755), -EEXIST);
	check_eq(sys_mkdir("/tmp/nope/d", 0755), -ENOENT);
	check_eq(sys_mkdir("/", 0755), -EEXIST);
	int fd = sys_open("/tmp/d/f", O_CREAT | O_WRONLY, 0644);
	sys_write(fd, "data", 4);
	sys_close(fd);
	check_eq(sys_rmdir("/tmp/d"), -ENOTEMPTY);
	check_eq(sys_unlink("/tmp/d"), -EISDIR);
	check_eq(sys_rmdir("/tmp/d/f"), -ENOTDIR);
	check_eq(sys_unlink("/tmp/d/f/"), -ENOTDIR);
	check_eq(sys_link("/tmp/d/f", "/tmp/d/g"), 0);
	check_eq(sys_stat("/tmp/d/g", &st), 0);
	check_eq(st.st_nlink, 2);
	check_eq(sys_link("/tmp/d/f", "/tmp/d/g"), -EEXIST);
	check_eq(sys_link("/tmp/d", "/tmp/dlink"), -EPERM);
	check_eq(sys_symlink("d/f", "/tmp/s"), 0);
	check_eq(sys_readlink("/tmp/s", buf, sizeof(buf)), 3);
	check(!memcmp(buf, "d/f", 3));
	check_eq(sys_readlink("/tmp/d/f", buf, sizeof(buf)), -EINVAL);
	check_eq(sys_stat("/tmp/s", &st), 0);
	check_eq(sys_lstat("/tmp/s", &lst), 0);
	check(S_ISREG(st.st_mode) && S_ISLNK(lst.st_mode));
	check_eq(sys_symlink("loop", "/tmp/loop"), 0);
	check_eq(sys_open("/tmp/loop", O_RDONLY, 0), -ELOOP);
	check_eq(sys_open("/tmp/s", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	check_eq(sys_rename("/tmp/d/g", "/tmp/g"), 0);
	check_eq(sys_stat("/tmp/d/g", &st), -ENOENT);
	check_eq(sys_rename("/tmp/d", "/tmp/d/sub"), -EINVAL);
	check_eq(sys_rename("/tmp/g", "/tmp/d"), -EISDIR);
	check_eq(sys_unlink("/tmp/g"), 0);
	check_eq(sys_unlink("/tmp/g"), -ENOENT);

	/* getdents64 lists what is there. */
	fd = sys_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
	check(fd >= 0);
	char dents[512];
	long n = sys_getdents64(fd, dents, sizeof(dents));
	check(n > 0);
	int seen = 0;
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
		if (!strcmp(d->d_name, "f")) {
			seen |= 1;
			check_eq(d->d_type, DT_REG);
		}
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			seen |= 2;
		off += d->d_reclen;
	}
	check_eq(seen, 3);
	check_eq(sys_getdents64(fd, dents, sizeof(dents)), 0);
	check_eq(sys_getdents64(fd, dents, 8), 0);
	check_eq(sys_lseek(fd, 0, SEEK_SET), 0);
	check_eq(sys_getdents64(fd, dents, 8), -EINVAL);

	/* Relative paths, chdir, getcwd, *at() with a directory descriptor. */
	check_eq(sys_chdir("/tmp/d"), 0);
	check_eq(sys_getcwd(buf, sizeof(buf)), 7);
	check(!strcmp(buf, "/tmp/d"));
	check_eq(sys_getcwd(buf, 3), -ERANGE);
	check_eq(sys_stat("f", &st), 0);
	check_eq(sys_chdir(".."), 0);
	check_eq(sys_getcwd(buf, sizeof(buf)), 5);
	check_eq(sys_fchdir(fd), 0);
	check_eq(sys_getcwd(buf, sizeof(buf)), 7);
	check_eq(sys_chdir("/"), 0);
	int fd2 = sys_openat(fd, "f", O_RDONLY, 0);
	check(fd2 >= 0);
	check_eq(sys_read(fd2, buf, 4), 4);
	check(!memcmp(buf, "data", 4));
	check_eq(sys_openat(fd2, "x", O_RDONLY, 0), -ENOTDIR);
	check_eq(sys_openat(99, "x", O_RDONLY, 0), -EBADF);
	check_eq(sys_mkdirat(fd, "e", 0700), 0);
	check_eq(sys_unlinkat(fd, "e", AT_REMOVEDIR), 0);
	check_eq(sys_newfstatat(fd, "", &st, AT_EMPTY_PATH), 0);
	check(S_ISDIR(st.st_mode));
	sys_close(fd2);
	sys_close(fd);
}

static void descriptors(void)
{
	int fd = sys_open("/dev/null", O_RDWR, 0);
	check(fd >= 3);
	int d = (int)sys_dup(fd);
	check(d > fd);
	check_eq(sys_dup2(fd, 100), 100);
	check_eq(sys_dup2(fd, fd), fd);
	check_eq(sys_dup3(fd, fd, 0), -EINVAL);
	check_eq(sys_dup3(fd, 101, O_CLOEXEC), 101);
	check_eq(sys_fcntl(101, F_GETFD, 0), FD_CLOEXEC);
	check_eq(sys_fcntl(100, F_GETFD, 0), 0);
	check_eq(sys_fcntl(100, F_SETFD, FD_CLOEXEC), 0);
	check_eq(sys_fcntl(100, F_GETFD, 0), FD_CLOEXEC);
	check_eq(sys_fcntl(fd, F_DUPFD, 200), 200);
	check_eq(sys_fcntl(fd, F_GETFL, 0) & O_ACCMODE, O_RDWR);
	check_eq(sys_fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND), 0);
	check_eq(sys_fcntl(d, F_GETFL, 0) & (O_NONBLOCK | O_APPEND), O_NONBLOCK | O_APPEND); /* shared */
	short lock[16] = { 1 };
	check_eq(sys_fcntl(fd, F_SETLK, (unsigned long)lock), 0);
	check_eq(sys_fcntl(fd, F_GETLK, (unsigned long)lock), 0);
	check_eq(lock[0], 2);
	check_eq(sys_fcntl(fd, 9999, 0), -EINVAL);
	check_eq(sys_fcntl(999, F_GETFD, 0), -EBADF);
	sys_close(d);
	sys_close(100);
	sys_close(101);
	sys_close(200);

	/* The limit: EMFILE, then everything closes again. */
	static int opened[FD_LIMIT];
	int count = 0, r;
	while ((r = (int)sys_dup(fd)) >= 0)
		opened[count++] = r;
	check_eq(r, -EMFILE);
	check_eq(sys_open("/dev/null", O_RDONLY, 0), -EMFILE);
	check_eq(sys_pipe(opened + count), -EMFILE);
	for (int i = 0; i < count; i++)
		check_eq(sys_close(opened[i]), 0);
	check(count > FD_LIMIT - 10);
	sys_close(fd);
	pr_info("selftest: files: %d descriptors open at the limit, then EMFILE\n", count + 4);
}

static void devices(void)
{
	char buf[16];
	int fd = sys_open("/dev/zero", O_RDONLY, 0);
	memset(buf, 1, sizeof(buf));
	check_eq(sys_read(fd, buf, sizeof(buf)), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		check(buf[i] == 0);
	sys_close(fd);
	fd = sys_open("/dev/null", O_RDWR, 0);
	check_eq(sys_read(fd, buf, sizeof(buf)), 0);
	check_eq(sys_write(fd, buf, sizeof(buf)), sizeof(buf));
	sys_close(fd);
	/* /dev/urandom: two reads differ and are not all zero. */
	uint8_t r1[32], r2[32];
	fd = sys_open("/dev/urandom", O_RDONLY, 0);
	check_eq(sys_read(fd, r1, sizeof(r1)), sizeof(r1));
	check_eq(sys_read(fd, r2, sizeof(r2)), sizeof(r2));
	check(memcmp(r1, r2, sizeof(r1)) != 0);
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(r1); i++)
		nonzero += r1[i] != 0;
	check(nonzero > 16);
	sys_close(fd);
	fd = sys_open("/dev/full", O_WRONLY, 0);
	check_eq(sys_write(fd, buf, 1), -ENOSPC);
	sys_close(fd);
	uint16_t ws[4];
	check_eq(sys_ioctl(1, 0x5413, ws), 0);
	check(ws[0] > 0 && ws[1] > 0);
	check_eq(sys_ioctl(fd, 0x5413, ws), -EBADF);
	struct kstat st;
	check_eq(sys_stat("/dev/null", &st), 0);
	check(S_ISCHR(st.st_mode));
}

static void sparse(void)
{
	uint64_t before = ramfs_data_bytes();
	int fd = sys_open("/tmp/sparse", O_CREAT | O_RDWR, 0644);
	check_eq(sys_pwrite64(fd, "end", 3, 1L << 30), 3);
	struct kstat st;
	check_eq(sys_fstat(fd, &st), 0);
	check_eq(st.st_size, (1L << 30) + 3);
	char buf[64];
	memset(buf, 1, sizeof(buf));
	check_eq(sys_pread64(fd, buf, sizeof(buf), 1L << 29), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		check(buf[i] == 0);
	check(ramfs_data_bytes() - before <= 2 * 4096);
	sys_close(fd);
	check_eq(sys_unlink("/tmp/sparse"), 0);
	check_eq(ramfs_data_bytes(), before);
	pr_info("selftest: files: a 1 GiB sparse file held %d bytes\n", 4096);
}

/* A pipe between two threads: 16 MiB in odd-sized writes and reads, every
 * byte checked. */
#define PIPE_BYTES (16 << 20)

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 12));
}

static void *pipe_writer(void *arg)
{
	int fd = (int)(long)arg;
	static uint8_t chunk[7919];
	for (uint64_t sent = 0; sent < PIPE_BYTES;) {
		size_t n = MIN(sizeof(chunk), PIPE_BYTES - sent);
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		long w = sys_write(fd, chunk, n);
		if (w <= 0)
			return (void *)1;
		sent += (uint64_t)w;
	}
	sys_close(fd);
	return NULL;
}

static void pipes(void)
{
	int p[2];
	check_eq(sys_pipe(p), 0);
	struct thread_attr attr = { .name = "pipe-writer" };
	struct thread *t = thread_create(&attr, pipe_writer, (void *)(long)p[1]);
	check(t);
	static uint8_t buf[5003];
	uint64_t got = 0;
	long n;
	while ((n = sys_read(p[0], buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++)
			if (buf[i] != pattern(got + (uint64_t)i))
				panic("selftest: files: pipe byte %lu is wrong", got + (uint64_t)i);
		got += (uint64_t)n;
	}
	check_eq(n, 0); /* EOF once the writer closed */
	check_eq(got, PIPE_BYTES);
	check(thread_join(t) == NULL);
	sys_close(p[0]);

	check_eq(sys_pipe2(p, O_NONBLOCK), 0);
	check_eq(sys_read(p[0], buf, 1), -EAGAIN);
	check_eq(sys_write(p[1], "x", 1), 1);
	check_eq(sys_read(p[0], buf, 10), 1);
	check_eq(sys_lseek(p[0], 0, SEEK_SET), -ESPIPE);
	struct kstat st;
	check_eq(sys_fstat(p[0], &st), 0);
	check(S_ISFIFO(st.st_mode));
	sys_close(p[0]);
	/* With SIGPIPE ignored, as a program that wants EPIPE does. */
	struct k_sigaction ignore = { .handler = (void *)1 /* SIG_IGN */ }, old;
	check_eq(sys_rt_sigaction(SIGPIPE, &ignore, &old, 8), 0);
	check_eq(sys_write(p[1], "x", 1), -EPIPE);
	check_eq(sys_rt_sigaction(SIGPIPE, &old, NULL, 8), 0);
	sys_close(p[1]);
	pr_info("selftest: files: 16 MiB through a pipe between two threads, verified\n");
}

static long read_file(const char *path, char *buf, size_t size)
{
	int fd = (int)sys_open(path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	long total = 0, n;
	while ((n = sys_read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	sys_close(fd);
	buf[total] = '\0';
	return n < 0 ? n : total;
}

static void *sleeper(void *arg)
{
	volatile int *stop = arg;
	while (!*stop)
		thread_sleep_until(clock_monotonic_ns() + NSEC_PER_MSEC);
	return NULL;
}

static void procfs(void)
{
	static char text[16384];
	char link[64];
	volatile int stop = 0;
	struct thread_attr attr = { .name = "maps-test" };
	struct thread *t = thread_create(&attr, sleeper, (void *)&stop);
	check(t);
	check(read_file("/proc/self/maps", text, sizeof(text)) > 0);
	check(strstr(text, " r-xp 00000000 00:00 0 "));
	check(strstr(text, "[kite]"));
	/* Linux's columns: a 16-digit address range pads the name to column 74. */
	check(strstr(text, " rw-p 00000000 00:00 0                  [heap]\n"));
	check(strstr(text, " rw-p 00000000 00:00 0                  [stack:maps-test]\n"));
	check(strstr(text, " ---p 00000000 00:00 0\n"));
	pr_info("selftest: files: /proc/self/maps:\n");
	console_write(text, strlen(text));
	stop = 1;
	thread_join(t);
	check_eq(sys_readlink("/proc/self", link, sizeof(link)), 1);
	check(link[0] == '1');
	check(read_file("/proc/self/status", text, sizeof(text)) > 0 && strstr(text, "Threads:\t"));
	check(read_file("/proc/cpuinfo", text, sizeof(text)) > 0 && strstr(text, "processor\t: 0\n"));
	check(read_file("/proc/meminfo", text, sizeof(text)) > 0 && strstr(text, "MemTotal:"));
	check(read_file("/proc/uptime", text, sizeof(text)) > 0);
	check(read_file("/proc/stat", text, sizeof(text)) > 0 && strstr(text, "cpu0 "));
	check(read_file("/sys/devices/system/cpu/online", text, sizeof(text)) > 0);
	char expect[16];
	ksnprintf(expect, sizeof(expect), nr_cpus > 1 ? "0-%u\n" : "0\n", nr_cpus - 1);
	check(!strcmp(text, expect));
	long n = sys_readlink("/proc/self/fd/1", link, sizeof(link));
	check(n == 12 && !memcmp(link, "/dev/console", 12));
	int fd = (int)sys_open("/dev/stdout", O_WRONLY, 0); /* through /proc/self/fd/1 */
	check(fd >= 3);
	n = sys_readlink("/proc/self/fd/3", link, sizeof(link));
	check(n == 11 && !memcmp(link, "/dev/stdout", 11));
	sys_close(fd);
	check_eq(sys_readlink("/proc/self/fd/3", link, sizeof(link)), -ENOENT);
	check_eq(sys_open("/proc/self/nothing", O_RDONLY, 0), -ENOENT);
	check_eq(sys_open("/proc/meminfo", O_WRONLY, 0), -EACCES);
}

static void extras(void)
{
	struct statx stx;
	struct kstat st;
	int fd = (int)sys_open("/tmp/x", O_CREAT | O_RDWR, 0640);
	check_eq(sys_write(fd, "0123456789", 10), 10);
	check_eq(sys_statx(AT_FDCWD, "/tmp/x", 0, 0x7ff, &stx), 0);
	check_eq(stx.stx_size, 10);
	check_eq(stx.stx_mode, S_IFREG | 0640);
	check_eq(sys_statx(fd, "", AT_EMPTY_PATH, 0x7ff, &stx), 0);
	check_eq(stx.stx_nlink, 1);
	struct timespec64 times[2] = { { 1000, 0 }, { 2000, 500 } };
	check_eq(sys_utimensat(AT_FDCWD, "/tmp/x", times, 0), 0);
	check_eq(sys_stat("/tmp/x", &st), 0);
	check_eq(st.st_atim.tv_sec, 1000);
	check_eq(st.st_mtim.tv_sec, 2000);
	check_eq(st.st_mtim.tv_nsec, 500);
	times[0].tv_nsec = 2000000000;
	check_eq(sys_utimensat(AT_FDCWD, "/tmp/x", times, 0), -EINVAL);
	check_eq(sys_fallocate(fd, 0, 0, 1 << 20), 0);
	check_eq(sys_fstat(fd, &st), 0);
	check_eq(st.st_size, 1 << 20);
	check_eq(sys_fallocate(fd, 3, 0, 10), -EOPNOTSUPP);
	int out = (int)sys_open("/tmp/y", O_CREAT | O_RDWR | O_TRUNC, 0644);
	int64_t off = 2;
	check_eq(sys_sendfile(out, fd, &off, 5), 5);
	check_eq(off, 7);
	char buf[16] = { 0 };
	check_eq(sys_pread64(out, buf, sizeof(buf), 0), 5);
	check(!memcmp(buf, "23456", 5));
	int64_t in_off = 0, out_off = 100;
	check_eq(sys_copy_file_range(fd, &in_off, out, &out_off, 3, 0), 3);
	check_eq(sys_pread64(out, buf, 3, 100), 3);
	check(!memcmp(buf, "012", 3));
	check_eq(sys_copy_file_range(fd, NULL, 1, NULL, 3, 0), -EINVAL); /* not a regular file */
	sys_close(out);
	sys_close(fd);
}

void selftest_files(void)
{
	basic_io();
	names();
	descriptors();
	devices();
	sparse();
	pipes();
	procfs();
	extras();
	pr_info("selftest: files: ok\n");
}
