/*
 * --selftest=libc: musl, built from Debian's source with Kite's system-call
 * glue, runs inside the kernel: formatting (with floating point), parsing,
 * sorting, time, and its file calls, which reach the system-call table as
 * plain function calls. errno lives in musl's thread descriptor, which %fs
 * points to in every thread.
 *
 * Built with SSE (see the Makefile): musl passes doubles in vector registers.
 * musl's headers are not on the kernel's include path, so the few prototypes
 * used are declared here.
 */
#include <kite/clock.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/thread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int snprintf(char *buf, size_t size, const char *fmt, ...);
double strtod(const char *s, char **end);
long strtol(const char *s, char **end, int base);
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
int *__errno_location(void);
long write(int fd, const void *buf, size_t len);
int open(const char *path, int flags, ...);
long read(int fd, void *buf, size_t len);
int close(int fd);
long time(long *t);
int getpid(void);

#define check(cond) do { if (!(cond)) panic("selftest: libc: %s:%d: %s", __FILE__, __LINE__, #cond); } while (0)

void *pthread_self(void);
int printf(const char *fmt, ...);
extern void *const stdout;
uint64_t kernel_export(const char *name);

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void *libc_thread(void *arg)
{
	int **errno_of = arg;
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s %d %.3f %x %5.1e", "kite", 42, 3.14159, 255, 12345.678);
	check(n == (int)strlen("kite 42 3.142 ff 1.2e+04"));
	check(!strcmp(buf, "kite 42 3.142 ff 1.2e+04"));
	check(strtod("2.5e3", NULL) == 2500.0);
	check(strtol("-0x1f", NULL, 16) == -31);
	int values[] = { 5, -3, 9, 0, 2 };
	qsort(values, 5, sizeof(int), by_value);
	check(values[0] == -3 && values[4] == 9);
	check(getpid() == 1);
	long now = time(NULL);
	check(now > 1600000000);

	static const char line[] = "selftest: libc: write() through musl\n";
	check(write(1, line, sizeof(line) - 1) == sizeof(line) - 1);
	int fd = open("/proc/self/status", 0);
	check(fd >= 3);
	check(read(fd, buf, 5) == 5 && !memcmp(buf, "Name:", 5));
	check(close(fd) == 0);
	check(open("/no/such/file", 0) == -1);
	check(*__errno_location() == 2 /* ENOENT */);
	check(close(12345) == -1 && *__errno_location() == 9 /* EBADF */);

	/* The descriptor: pthread_self() is this thread's, with a canary at 0x28. */
	check(pthread_self() == current()->libc_desc);
	check(*(uint64_t *)((char *)pthread_self() + 0x28) != 0);
	*errno_of = __errno_location();
	return (void *)1;
}

void selftest_libc(void)
{
	int *errno_a = NULL, *errno_b = NULL;
	struct thread_attr attr = { .name = "libc-test" };
	struct thread *a = thread_create(&attr, libc_thread, &errno_a);
	struct thread *b = thread_create(&attr, libc_thread, &errno_b);
	check(a && b);
	check(thread_join(a) == (void *)1 && thread_join(b) == (void *)1);
	check(errno_a && errno_b && errno_a != errno_b); /* errno is per thread */
	/* The export table finds musl's functions and data by name. */
	check(kernel_export("printf") == (uint64_t)printf);
	check(kernel_export("stdout") == (uint64_t)&stdout);
	check(kernel_export("qsort") == (uint64_t)qsort);
	check(kernel_export("no_such_symbol_anywhere") == 0);
	/* And in this thread, which was not made by thread_create. */
	check(open("/no/such/file", 0) == -1 && *__errno_location() == 2);
	pr_info("selftest: libc: musl's printf, strtod, qsort, time and file calls with errno: ok\n");
}
