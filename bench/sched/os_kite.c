/* The scheduler benchmark's OS layer on Kite's kernel API (see schedbench.h);
 * --bench=sched runs it after the banner. */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/compiler.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/sync.h>
#include <kite/thread.h>
#include <string.h>
#include "schedbench.h"

struct os_mutex {
	struct mutex m;
};

struct os_sem {
	struct semaphore s;
};

uint64_t os_now_ns(void)
{
	return clock_monotonic_ns();
}

unsigned os_cpu_count(void)
{
	return nr_cpus;
}

struct os_thread *os_thread_create(void *(*fn)(void *), void *arg, int cpu)
{
	struct thread_attr attr = { .name = "schedbench", .affinity = cpu < 0 ? 0 : 1ULL << cpu };
	struct thread *t = thread_create(&attr, fn, arg);
	if (!t)
		panic("schedbench: cannot create a thread");
	return (struct os_thread *)t;
}

void os_thread_join(struct os_thread *t)
{
	thread_join((struct thread *)t);
}

void os_yield(void)
{
	thread_yield();
}

struct os_mutex *os_mutex_new(void)
{
	struct os_mutex *m = kmalloc(sizeof(*m));
	if (!m)
		panic("schedbench: out of memory");
	mutex_init(&m->m);
	return m;
}

void os_mutex_lock(struct os_mutex *m)
{
	mutex_lock(&m->m);
}

void os_mutex_unlock(struct os_mutex *m)
{
	mutex_unlock(&m->m);
}

struct os_sem *os_sem_new(void)
{
	struct os_sem *s = kmalloc(sizeof(*s));
	if (!s)
		panic("schedbench: out of memory");
	semaphore_init(&s->s, 0);
	return s;
}

void os_sem_post(struct os_sem *s)
{
	semaphore_up(&s->s);
}

void os_sem_wait(struct os_sem *s)
{
	semaphore_down(&s->s, DEADLINE_NONE);
}

void os_report(const char *name, uint64_t tenths)
{
	pr_info("schedbench: %s %lu.%lu\n", name, tenths / 10, tenths % 10);
}

void os_print(const char *line)
{
	pr_info("%s\n", line);
}

static bool run_bench;

void bench_run(void)
{
	if (run_bench)
		schedbench_main();
}

static int set_bench(const char *value)
{
	if (strcmp(value, "sched"))
		return -EINVAL;
	run_bench = true;
	return 0;
}
KOPT_VALUE("bench", set_bench, "sched", "run a benchmark after the banner (bench/)");
