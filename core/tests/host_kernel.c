/*
 * For host tests of code above the allocators (the file systems): the heap as
 * the host's malloc, mutexes without threads, the clock as the host's.
 */
#include <kite/clock.h>
#include <kite/heap.h>
#include <kite/sync.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *kmalloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void *krealloc(void *p, size_t size)
{
	return realloc(p, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

void mutex_init(struct mutex *m)
{
	m->state = 0;
}

/* Host tests of the file systems run on one thread: a held mutex here is a bug. */
void mutex_lock(struct mutex *m)
{
	if (m->state)
		abort();
	m->state = 1;
}

void mutex_unlock(struct mutex *m)
{
	m->state = 0;
}

uint64_t clock_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
