/*
 * What core/'s pure logic needs from the rest of the kernel, for host tests:
 * panic (which a test may expect: it then longjmps back), the CPU id (one
 * "CPU" per host thread, so threads exercise the cross-CPU paths), and vmalloc
 * (aligned host memory).
 */
#include <kite/cpu.h>
#include <kite/kva.h>
#include <kite/panic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static __thread int thread_cpu = -1;
static int next_cpu;

unsigned cpu_current_id(void)
{
	if (thread_cpu < 0)
		thread_cpu = __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % MAX_CPUS;
	return thread_cpu;
}

void preempt_disable(void)
{
}

void preempt_enable(void)
{
}

void preempt_enable_no_resched(void)
{
}

static __noreturn void host_panic(const char *kind, const char *fmt, va_list ap)
{
	vsnprintf(unit_panic_message, sizeof(unit_panic_message), fmt, ap);
	if (unit_panic_jmp)
		longjmp(*unit_panic_jmp, 1);
	fprintf(stderr, "unexpected %s: %s\n", kind, unit_panic_message);
	abort();
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	host_panic("panic", fmt, ap);
}

__noreturn void out_of_memory(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	host_panic("out of memory", fmt, ap);
}

/* Host vmalloc: counts bytes so tests can check that big blocks come back. */
size_t host_vmalloc_bytes;
size_t host_vmalloc_limit = (size_t)1 << 30;

void *vmalloc(size_t size, size_t align, bool guard)
{
	(void)guard;
	if (__atomic_load_n(&host_vmalloc_bytes, __ATOMIC_RELAXED) + size > host_vmalloc_limit)
		return NULL;
	void *p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	if (p)
		__atomic_add_fetch(&host_vmalloc_bytes, size, __ATOMIC_RELAXED);
	return p;
}

void vfree(void *p, size_t size, size_t align, bool guard)
{
	(void)align;
	(void)guard;
	__atomic_sub_fetch(&host_vmalloc_bytes, size, __ATOMIC_RELAXED);
	free(p);
}
