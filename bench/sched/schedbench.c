/*
 * What the scheduler costs, measured the same way on Kite and on Linux:
 *   context-switch-ns      two threads on one CPU yielding to each other
 *   thread-create-join-ns  creating a thread that returns at once, and joining it
 *   mutex-uncontended-ns   lock + unlock of a mutex nobody else wants
 *   wakeup-latency-ns      half a round trip of two threads waking each other
 *                          through semaphores (on two CPUs when there are two)
 */
#include "schedbench.h"

#define SWITCH_ROUNDS 20000
#define CREATE_ROUNDS 2000
#define MUTEX_ROUNDS 1000000
#define PINGPONG_ROUNDS 5000

static void *yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < SWITCH_ROUNDS; i++)
		os_yield();
	return 0;
}

static void context_switch(void)
{
	uint64_t start = os_now_ns();
	struct os_thread *a = os_thread_create(yielder, 0, 0);
	struct os_thread *b = os_thread_create(yielder, 0, 0);
	os_thread_join(a);
	os_thread_join(b);
	uint64_t took = os_now_ns() - start;
	os_report("context-switch-ns", took * 10 / (2 * SWITCH_ROUNDS));
}

static void *nothing(void *arg)
{
	return arg;
}

static void create_join(void)
{
	uint64_t start = os_now_ns();
	for (int i = 0; i < CREATE_ROUNDS; i++)
		os_thread_join(os_thread_create(nothing, 0, -1));
	os_report("thread-create-join-ns", (os_now_ns() - start) * 10 / CREATE_ROUNDS);
}

static void mutex_uncontended(void)
{
	struct os_mutex *m = os_mutex_new();
	uint64_t start = os_now_ns();
	for (int i = 0; i < MUTEX_ROUNDS; i++) {
		os_mutex_lock(m);
		os_mutex_unlock(m);
	}
	os_report("mutex-uncontended-ns", (os_now_ns() - start) * 10 / MUTEX_ROUNDS);
}

struct pingpong {
	struct os_sem *ping, *pong;
};

static void *ponger(void *arg)
{
	struct pingpong *p = arg;
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		os_sem_wait(p->ping);
		os_sem_post(p->pong);
	}
	return 0;
}

static void *pinger(void *arg)
{
	struct pingpong *p = arg;
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		os_sem_post(p->ping);
		os_sem_wait(p->pong);
	}
	return 0;
}

static void wakeup_latency(void)
{
	struct pingpong p = { os_sem_new(), os_sem_new() };
	int other = os_cpu_count() > 1 ? 1 : 0;
	uint64_t start = os_now_ns();
	struct os_thread *a = os_thread_create(pinger, &p, 0);
	struct os_thread *b = os_thread_create(ponger, &p, other);
	os_thread_join(a);
	os_thread_join(b);
	os_report("wakeup-latency-ns", (os_now_ns() - start) * 10 / (2 * PINGPONG_ROUNDS));
}

int schedbench_main(void)
{
	os_print("schedbench: start");
	context_switch();
	create_join();
	mutex_uncontended();
	wakeup_latency();
	os_print("schedbench: done");
	return 0;
}
