/*
 * The scheduler benchmark's OS layer on Linux (see schedbench.h): POSIX
 * threads, mutexes and semaphores. Built as a static binary that bench/sched.sh
 * puts in an initramfs as /init:
 *
 *   gcc -O2 -static -pthread -o build/bench/schedbench \
 *       bench/sched/schedbench.c bench/sched/os_linux.c
 *
 * As PID 1 it runs the benchmark and powers the machine off (QEMU exits with
 * status 0); run anywhere else (on the host, as a quick check) it runs the
 * benchmark and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "schedbench.h"

struct os_thread {
	pthread_t t;
};

struct os_mutex {
	pthread_mutex_t m;
};

struct os_sem {
	sem_t s;
};

/* Where the lines go: the console (fd 1 as the kernel set it up for init). */
static int out_fd = 1;

static void write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(out_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached if the power-off failed; init must not return. */
	for (;;)
		pause();
}

/* A failure: one line on the console, then exit (or power off as init). The
 * missing "schedbench: done" line tells bench/sched.sh the run failed. */
static void fail(const char *what, int err)
{
	char line[200];
	int n = snprintf(line, sizeof(line), "schedbench: error: %s: %s\n", what, strerror(err));
	if (n > 0)
		write_all(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	if (getpid() == 1)
		power_off();
	exit(1);
}

uint64_t os_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned os_cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

struct os_thread *os_thread_create(void *(*fn)(void *), void *arg, int cpu)
{
	struct os_thread *t = malloc(sizeof(*t));
	if (!t)
		fail("malloc", ENOMEM);

	pthread_attr_t attr, *ap = NULL;
	int err;
	if (cpu >= 0) {
		/* glibc applies the affinity before the thread runs fn. */
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if ((err = pthread_attr_init(&attr)) != 0)
			fail("pthread_attr_init", err);
		if ((err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set)) != 0)
			fail("pthread_attr_setaffinity_np", err);
		ap = &attr;
	}
	err = pthread_create(&t->t, ap, fn, arg);
	if (ap)
		pthread_attr_destroy(ap);
	if (err != 0)
		fail("pthread_create", err);
	return t;
}

void os_thread_join(struct os_thread *t)
{
	int err = pthread_join(t->t, NULL);
	if (err != 0)
		fail("pthread_join", err);
	free(t);
}

void os_yield(void)
{
	sched_yield();
}

struct os_mutex *os_mutex_new(void)
{
	struct os_mutex *m = malloc(sizeof(*m));
	if (!m)
		fail("malloc", ENOMEM);
	pthread_mutex_init(&m->m, NULL);
	return m;
}

void os_mutex_lock(struct os_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void os_mutex_unlock(struct os_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

struct os_sem *os_sem_new(void)
{
	struct os_sem *s = malloc(sizeof(*s));
	if (!s)
		fail("malloc", ENOMEM);
	if (sem_init(&s->s, 0, 0) != 0)
		fail("sem_init", errno);
	return s;
}

void os_sem_post(struct os_sem *s)
{
	sem_post(&s->s);
}

void os_sem_wait(struct os_sem *s)
{
	while (sem_wait(&s->s) != 0 && errno == EINTR)
		;
}

void os_report(const char *name, uint64_t tenths)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "schedbench: %s %" PRIu64 ".%" PRIu64 "\n", name,
			 tenths / 10, tenths % 10);
	if (n > 0)
		write_all(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void os_print(const char *line)
{
	write_all(line, strlen(line));
	write_all("\n", 1);
}

/*
 * The kernel opens /dev/console as fds 0-2 before it starts init (the node is
 * in the kernel's built-in initramfs, under ours). Should fd 1 not be open,
 * open the console ourselves, mounting devtmpfs only if there is no node.
 */
static void open_console(void)
{
	if (fcntl(1, F_GETFD) >= 0)
		return;
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	}
	if (fd >= 0)
		out_fd = fd;
}

int main(void)
{
	int init = getpid() == 1;
	if (init)
		open_console();
	int rc = schedbench_main();
	if (init)
		power_off();
	return rc;
}
